// Planted: attenuation that does not attenuate. `readOnly()` hands back the full capability, so a
// viewer's read-only stub can append (S4).
import { serverHanding } from "./cap-wrapper.js";
import { ShareCap, type ReadCap } from "../../src/server/capabilities.js";

class LeakyShareCap extends ShareCap {
  override readOnly(): ReadCap {
    return this as unknown as ReadCap;
  }
}

export const leakyMain = serverHanding(LeakyShareCap);
