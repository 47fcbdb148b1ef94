// Hostile actors in the world (a viewer with a read-only stub, an old device holding a capability
// from before a revocation) write only items that carry this mark. Finding it in the share's
// database, or an ack that applied it, is proof that authority leaked (S4), whatever the writer
// id or op id the intruder forged.
export const INTRUDER_MARK = "\u26a0intruder";
