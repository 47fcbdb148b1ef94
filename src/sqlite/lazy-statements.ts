// Prepared statements made on first use. Preparing costs tens of µs each and most statements of
// a node are never needed in a given run (recovery, failure paths), so a fresh node stays cheap.
export function lazyStatements<T extends Record<string, () => unknown>>(makers: T): { readonly [K in keyof T]: ReturnType<T[K]> } {
  const out = {} as { [K in keyof T]: ReturnType<T[K]> };
  for (const key of Object.keys(makers) as (keyof T)[]) {
    let made: ReturnType<T[typeof key]> | undefined;
    Object.defineProperty(out, key, { enumerable: true, get: () => (made ??= makers[key]!() as ReturnType<T[typeof key]>) });
  }
  return out;
}
