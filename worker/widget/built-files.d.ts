/**
 * The widget as `npm run build` writes it (widget/build.mjs): URL path → the file's text and ETag.
 * Declared here so the worker type-checks before the first build; once built, TypeScript reads
 * the JSON itself, whose shape is this one.
 */
declare module "*/dist/widget-files.json" {
  const files: Record<string, { readonly etag: string; readonly body: string }>;
  export default files;
}
