// SQL files read as text (Vite's `?raw` import), e.g. the staff roll-ups' rebuild.
declare module "*.sql?raw" {
  const text: string;
  export default text;
}
