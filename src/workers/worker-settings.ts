// What a Worker's environment says about who may create shares and the limits, read the way
// `sturdy serve` reads its flags: OPERATOR_TOKEN (a secret: `wrangler secret put OPERATOR_TOKEN`;
// `sturdy serve --runtime workerd` passes its --operator-token-file / STURDY_OPERATOR_TOKEN as a
// binding) becomes an OperatorAuth, LIMITS (a JSON object of overrides, as serve's --limits file)
// goes through resolveLimits. Absent OPERATOR_TOKEN: nobody may create shares, as with serve. A
// bad value throws a one-line Error that names the setting, never the token.
import { OperatorAuth } from "../server/auth.js";
import { resolveLimits, type ServerLimits } from "../server/limits.js";

export interface WorkerSettingsEnv {
  OPERATOR_TOKEN?: string;
  LIMITS?: string;
}

export interface WorkerSettings {
  operator: OperatorAuth | undefined;
  limits: ServerLimits;
}

/** Parsed once per isolate for the same values (the env of one deployment does not change). */
let cached: { token: string | undefined; limits: string | undefined; settings: WorkerSettings } | undefined;

export function workerSettings(env: WorkerSettingsEnv): WorkerSettings {
  if (cached && cached.token === env.OPERATOR_TOKEN && cached.limits === env.LIMITS) return cached.settings;
  const settings = { operator: operatorOf(env.OPERATOR_TOKEN), limits: limitsOf(env.LIMITS) };
  cached = { token: env.OPERATOR_TOKEN, limits: env.LIMITS, settings };
  return settings;
}

function operatorOf(token: string | undefined): OperatorAuth | undefined {
  if (token === undefined || token === "") return undefined;
  try {
    return new OperatorAuth(token);
  } catch (e) {
    throw new Error(`OPERATOR_TOKEN: ${(e as Error).message}`);
  }
}

function limitsOf(text: string | undefined): ServerLimits {
  if (text === undefined || text === "") return resolveLimits({});
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (e) {
    throw new Error(`LIMITS is not JSON: ${(e as Error).message}`);
  }
  return resolveLimits(value);
}
