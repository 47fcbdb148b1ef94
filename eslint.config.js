// `npm run lint` (in CI): src/ and sim/ on the syntax tree, with typescript-eslint's parser.
//
// 1. Determinism. A run is a function of its seed only if nothing in src/ or sim/ reads the wall
//    clock, draws real randomness or arms a real timer: those go through the injected Clock and
//    Rng (sim/world/clock.ts, sim/world/rng.ts). The rules see code, never comments or strings, so mentions
//    in prose are free and no comment can switch a rule off. Every ban has an id; a file that
//    must use one (the production clock, the bench's stopwatch) is named in EXCEPTIONS below,
//    with the ids it needs and why, and gets the same rules less exactly those ids.
// 2. Size. No function (IIFEs included) over 70 lines of code, blank lines and comments not counted.
import tseslint from "typescript-eslint";

const CLOCK = "wall clock: read time from the injected Clock (clock.now())";
const TIMER = "real timer: arm timers through the injected Clock (clock.setTimer), which the sim owns";
const RANDOM = "real randomness: draw from the injected Rng (sim/world/rng.ts derives seeded streams)";
const HIDDEN = "hides a name from the determinism lint: write globalThis.name (or the name itself)";
const STRING_CODE = "code in a string is invisible to the determinism lint";

// queueMicrotask is not banned: a microtask is no timer (it runs in the same checkpoint as a
// promise reaction, in an order fixed by the code), and sim/world/settle.ts's yield drains it like the rest.
const TIMERS = ["setTimeout", "setInterval", "setImmediate", "clearTimeout", "clearInterval", "clearImmediate"];
const CRYPTO_RANDOM = ["randomBytes", "randomInt", "randomUUID", "getRandomValues", "randomFill", "randomFillSync", "webcrypto"];
const SEEDRANDOM_CALL = ":matches(CallExpression, NewExpression)[callee.name='seedrandom']";
const SEEDRANDOM_ALGORITHM_CALL = ":matches(CallExpression, NewExpression)[callee.object.name='seedrandom']";

/** Each ban: an id (what EXCEPTIONS name) and what it adds to which rule. */
const BANS = [
  // Globals: any reference, called or not (`Date`, `new Date()`, `Reflect.construct(Date, [])`), and
  // the same name read off globalThis / global (checkGlobalObject below).
  { id: "Date", global: { name: "Date", message: CLOCK } },
  { id: "performance", global: { name: "performance", message: CLOCK } },
  ...TIMERS.map((name) => ({ id: name, global: { name, message: TIMER } })),
  { id: "crypto", global: { name: "crypto", message: RANDOM } },
  { id: "eval", global: { name: "eval", message: STRING_CODE } },
  { id: "Function", global: { name: "Function", message: STRING_CODE } },
  { id: "require", global: { name: "require", message: "import instead: a require() of a banned module would pass unseen" } },

  // Properties, also as `Math["random"]` and `const { random } = Math`.
  { id: "Math.random", property: { object: "Math", property: "random", message: RANDOM } },
  ...["hrtime", "uptime", "cpuUsage", "resourceUsage"].map((p) => ({
    id: `process.${p}`,
    property: { object: "process", property: p, message: CLOCK },
  })),
  ...CRYPTO_RANDOM.map((p) => ({ id: `crypto.${p}`, property: { object: "crypto", property: p, message: RANDOM } })),
  { id: "AbortSignal.timeout", property: { object: "AbortSignal", property: "timeout", message: TIMER } },

  // Modules.
  ...["timers", "timers/promises"].flatMap((m) => [m, `node:${m}`]).map((name) => ({ id: name, path: { name, message: TIMER } })),
  ...["perf_hooks", "node:perf_hooks"].map((name) => ({ id: name, path: { name, message: CLOCK } })),
  // node:crypto's hashes are deterministic (trace hashes, dedupe keys), and so is timingSafeEqual
  // (the constant-time comparison of secret digests, src/server/auth.ts); only they may be
  // imported, by name, so neither a namespace nor a default import can reach crypto.randomInt.
  ...["crypto", "node:crypto"].map((name) => ({
    id: name,
    path: { name, allowImportNames: ["createHash", "Hash", "timingSafeEqual"], message: `${RANDOM}; only hashes may come from ${name}` },
  })),
  ...["process", "node:process"].map((name) => ({
    id: name,
    path: { name, importNames: ["hrtime", "uptime", "cpuUsage", "resourceUsage"], message: CLOCK },
  })),
  ...["module", "node:module"].map((name) => ({ id: name, path: { name, importNames: ["createRequire"], message: "a require() of a banned module would pass unseen" } })),

  // Shapes the rules above cannot see.
  {
    id: "globalThis[computed]",
    syntax: { selector: "MemberExpression[computed=true][object.name=/^(globalThis|global|Math|process)$/][property.type!='Literal']", message: HIDDEN },
  },
  {
    id: "globalThis as a value",
    syntax: {
      selector: "Identifier[name=/^(globalThis|global|Math|process)$/]:not(MemberExpression > Identifier.object, MemberExpression > Identifier.property, Property > Identifier.key)",
      message: "passing or aliasing globalThis, global, Math or process hides their members from the determinism lint: write Math.x, process.x",
    },
  },
  {
    id: "dynamic import",
    syntax: {
      selector: "ImportExpression:not([source.type='Literal']), ImportExpression[source.value=/^(node:)?(timers|perf_hooks|crypto)(\\u002F|$)/]",
      message: "a dynamic import of a computed or banned module passes the import checks unseen",
    },
  },
  {
    id: "unseeded seedrandom",
    syntax: {
      selector: [
        `${SEEDRANDOM_CALL}[arguments.length=0]`,
        `${SEEDRANDOM_ALGORITHM_CALL}[arguments.length=0]`,
        `${SEEDRANDOM_CALL}[arguments.0.type='Identifier'][arguments.0.name='undefined']`,
        `${SEEDRANDOM_CALL}[arguments.0.type='Literal'][arguments.0.raw='null']`,
        `${SEEDRANDOM_CALL} > ObjectExpression > Property[key.name='entropy']`,
      ].join(", "),
      message: `${RANDOM}: seedrandom without a seed (or with entropy) draws from the OS`,
    },
  },
  {
    id: "seedrandom renamed",
    syntax: {
      selector: "ImportDeclaration[source.value='seedrandom'] > :matches(ImportNamespaceSpecifier, ImportSpecifier, ImportDefaultSpecifier[local.name!='seedrandom'])",
      message: "import seedrandom's default export as `seedrandom`, so the unseeded-call check can see its calls",
    },
  },
];

/**
 * The files that may use a banned name, each with the ids it needs and why. A file not named here
 * gets every ban; a file named here gets every ban but its own ids.
 */
const EXCEPTIONS = [
  {
    files: ["src/runtime/system-clock.ts"],
    allow: ["Date", "setTimeout", "clearTimeout", "node:crypto"],
    why: "the production Clock and Rng: the real wall clock, real timers and OS entropy for secrets, writer ids and jitter",
  },
  {
    files: ["src/runtime/websocket.ts"],
    allow: ["globalThis as a value"],
    why: "installs the ws package's WebSocket as a global on Node 20 (the real wire); writes a global, reads no time",
  },
  {
    files: ["sim/world/settle.ts"],
    allow: ["setImmediate"],
    why: "the sim's one yield to the event loop; it drains the microtasks the last event started, in an order fixed by the code",
  },
  {
    files: ["sim/perf/stopwatch.ts"],
    allow: ["performance"],
    why: "measures the harness itself (runs/s), never read by the simulated world",
  },
  {
    files: ["sim/perf/gc.ts"],
    allow: ["node:perf_hooks", "setImmediate"],
    why: "bench only: counts GC pauses from the performance timeline, and gives it a turn to deliver them",
  },
  {
    files: ["sim/perf/cpu.ts"],
    allow: ["process.cpuUsage"],
    why: "bench only: CPU time is the bench's figure of record",
  },
];

const known = new Set(BANS.map((b) => b.id));
for (const e of EXCEPTIONS) {
  for (const id of e.allow) if (!known.has(id)) throw new Error(`eslint.config.js: exception for ${e.files} names unknown ban ${id}`);
}

/** The determinism rules with every ban except `allowed`. */
export function determinismRules(allowed = []) {
  const bans = BANS.filter((b) => !allowed.includes(b.id));
  return {
    "no-restricted-globals": [
      "error",
      { globals: bans.flatMap((b) => b.global ?? []), checkGlobalObject: true, globalObjects: ["global"] },
    ],
    "no-restricted-properties": ["error", ...bans.flatMap((b) => b.property ?? [])],
    "no-restricted-imports": ["error", { paths: bans.flatMap((b) => b.path ?? []) }],
    "no-restricted-syntax": ["error", ...bans.flatMap((b) => b.syntax ?? [])],
  };
}

const CODE = ["src/**/*.{ts,mts,js,mjs}", "sim/**/*.{ts,mts,js,mjs}"];

export default [
  {
    files: CODE,
    languageOptions: {
      parser: tseslint.parser,
      ecmaVersion: "latest",
      sourceType: "module",
      // Node's global object under its old name, so `global.Date` is checked like `globalThis.Date`.
      globals: { global: "readonly" },
    },
    linterOptions: {
      // The determinism bans cannot be switched off by a comment: exceptions live in EXCEPTIONS.
      noInlineConfig: true,
      reportUnusedDisableDirectives: "off",
    },
    rules: {
      ...determinismRules(),
      "max-lines-per-function": ["error", { max: 70, skipBlankLines: true, skipComments: true, IIFEs: true }],
    },
  },
  ...EXCEPTIONS.map(({ files, allow }) => ({ files, rules: determinismRules(allow) })),
];
