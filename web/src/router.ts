import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router';
import { loadIdentity } from './api/auth.ts';
import { ApiError } from './api/http.ts';
import { allows, session } from './auth/session.ts';
import SearchView from './views/SearchView.vue';

declare module 'vue-router' {
  interface RouteMeta {
    /** The role a page needs; none for the login page. */
    needs?: 'read' | 'admin';
  }
}

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', redirect: '/search' },
    // The page most visits open comes with the first script instead of after it.
    { path: '/search', component: SearchView, meta: { needs: 'read' } },
    { path: '/sql', component: () => import('./views/SqlView.vue'), meta: { needs: 'read' } },
    {
      path: '/admin',
      component: () => import('./views/AdminView.vue'),
      meta: { needs: 'admin' },
      children: [
        { path: '', component: () => import('./views/AdminOverview.vue') },
        { path: 'keys', component: () => import('./views/ApiKeysView.vue') },
        { path: 'audit', component: () => import('./views/AuditLogView.vue') },
      ],
    },
    { path: '/login', component: () => import('./views/LoginView.vue') },
    { path: '/:rest(.*)*', redirect: '/search' },
  ],
});

const toLogin = (to: RouteLocationNormalized) => ({ path: '/login', query: { next: to.fullPath } });

router.beforeEach(async (to) => {
  const needs = to.meta.needs;
  if (!needs) return true;
  if (!session.role) {
    try {
      await loadIdentity();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return toLogin(to);
      // The server is failing or out of reach: the page says so through its own requests, and
      // who the key is will be asked again on the next navigation.
      return true;
    }
  }
  if (allows(session.role, needs)) return true;
  return allows(session.role, 'read') ? '/search' : toLogin(to);
});
