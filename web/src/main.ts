import { createApp } from 'vue';
import App from './App.vue';
import { handleUnauthorized } from './api/http.ts';
import { signOut } from './auth/session.ts';
import { router } from './router.ts';

// A refused key (revoked, or a session from before a restart) sends the user back to the login.
handleUnauthorized(() => {
  if (router.currentRoute.value.path === '/login') return;
  signOut();
  void router.push({ path: '/login', query: { next: router.currentRoute.value.fullPath } });
});

createApp(App).use(router).mount('#app');
