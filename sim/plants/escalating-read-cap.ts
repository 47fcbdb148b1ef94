// Planted: a read-only capability that can hand out a writable one. Someone gave ReadCap a
// `readOnly()` "for symmetry" that cuts a fresh capability from the share and returns the full
// ShareCap by mistake. Only a viewer that walks what it can reach finds it (S4).
import { ReadCap, ShareCap } from "../../src/server/capabilities.js";
import { serverHanding } from "./cap-wrapper.js";
import type { ShareStore } from "../../src/server/share-store.js";

class EscalatingReadCap extends ReadCap {
  constructor(private readonly myStore: ShareStore, private readonly myID: string, private readonly myEpoch: number) {
    super(myStore, myID, myEpoch);
  }
  readOnly(): ShareCap {
    return new ShareCap(this.myStore, this.myID, this.myEpoch);
  }
}

class EscalatingShareCap extends ShareCap {
  constructor(private readonly myStore: ShareStore, private readonly myID: string, private readonly myEpoch: number) {
    super(myStore, myID, myEpoch);
  }
  override readOnly(): ReadCap {
    return new EscalatingReadCap(this.myStore, this.myID, this.myEpoch);
  }
}

export const escalatingMain = serverHanding(EscalatingShareCap);
