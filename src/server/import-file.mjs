// The one import of the user's module happens here, in a JavaScript file, because tsx reads
// `app.js` as `app.ts` when a TypeScript file imports it and both exist: `spry run app.js` must
// run app.js.
/** @param {string} url */
export const importFile = (url) => import(url);
