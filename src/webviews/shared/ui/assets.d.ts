// esbuild bundles a page's CSS imports into dist/webviews/<panel>.css.
declare module '*.css';
