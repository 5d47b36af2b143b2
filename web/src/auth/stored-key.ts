/** Where this tab keeps its API key; read without Vue by the first search, which starts before the app. */
export const KEY_STORAGE = 'logflow.apiKey';

export const storedApiKey = (): string => sessionStorage.getItem(KEY_STORAGE) ?? '';
