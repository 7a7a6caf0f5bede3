/**
 * A worker thread's script, given the URL of the module that starts it and the worker's base name. Built, it is
 * the compiled worker beside that module. From the sources (tests, `npm run dev`), it is TypeScript, which a
 * worker thread of Node 20 cannot load through the parent's `--import tsx`: a small script registers tsx's
 * loader in the thread first, then imports it.
 */
export function workerScript(starter: string, name: string): [string | URL, { eval?: boolean }] {
  if (!starter.endsWith('.ts')) return [new URL(`./${name}.js`, starter), {}];
  const script = new URL(`./${name}.ts`, starter).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  return [
    `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(script)}); });`,
    { eval: true },
  ];
}
