// tRPC's SSE producer pipes every event through `new TextEncoderStream()`. Node 20's
// implementation spends most of a config push in JavaScript per chunk (profiled: ~20 % of the
// controller's CPU pushing 500-peer configs); encoding with Buffer.from is native. Installed
// once per controller process, before the first request.

/** A standard-conforming TextEncoderStream that encodes each chunk natively. */
class FastTextEncoderStream extends TransformStream<string, Uint8Array> {
  /** Always UTF-8, as the standard says. */
  readonly encoding = "utf-8";

  constructor() {
    // A chunk may end in the first half of a surrogate pair; like the standard stream, hold it
    // for the next chunk (or emit U+FFFD if the stream ends there).
    let pending = "";
    super({
      transform(chunk, controller) {
        let text = pending + String(chunk);
        pending = "";
        const last = text.charCodeAt(text.length - 1);
        if (last >= 0xd800 && last <= 0xdbff) {
          pending = text.slice(-1);
          text = text.slice(0, -1);
        }
        if (text.length > 0) controller.enqueue(Buffer.from(text, "utf8"));
      },
      flush(controller) {
        if (pending) controller.enqueue(Uint8Array.of(0xef, 0xbf, 0xbd));
      },
    });
  }
}

/** Replace the global TextEncoderStream with the native-speed one (idempotent). */
export function installFastTextEncoderStream(): void {
  globalThis.TextEncoderStream = FastTextEncoderStream as unknown as typeof TextEncoderStream;
}
