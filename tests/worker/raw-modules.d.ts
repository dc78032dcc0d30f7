// SQL files read as text (Vite's `?raw` import), e.g. the staff roll-ups' rebuild.
declare module "*.sql?raw" {
  const text: string;
  export default text;
}

// Other text files read the same way, e.g. `.dev.vars.example`.
declare module "*.example?raw" {
  const text: string;
  export default text;
}

// The widget's built files (npm test builds them first), to compare with what the worker serves.
declare module "*.js?raw" {
  const text: string;
  export default text;
}
