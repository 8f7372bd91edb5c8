import { describe, expect, it } from "vitest";
import { installFastTextEncoderStream } from "./install-fast-text-encoder-stream";

async function encodeChunks(chunks: string[]): Promise<number[]> {
  const stream = new ReadableStream<string>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  }).pipeThrough(new TextEncoderStream());
  const bytes: number[] = [];
  for await (const part of stream) bytes.push(...part);
  return bytes;
}

describe("installFastTextEncoderStream", () => {
  it("encodes exactly like the standard TextEncoderStream, split surrogates included", async () => {
    const cases = [
      ['data: {"a":1}\n', "id: 3\n", "\n"],
      ["caf\u00e9 \u{1F600}", " end"],
      ["split \ud83d", "\ude00 pair"],
      ["lone high at the end \ud83d"],
      [""],
    ];
    const standard = await Promise.all(cases.map(encodeChunks));
    const original = globalThis.TextEncoderStream;
    installFastTextEncoderStream();
    try {
      expect(globalThis.TextEncoderStream).not.toBe(original);
      const fast = await Promise.all(cases.map(encodeChunks));
      expect(fast).toEqual(standard);
    } finally {
      globalThis.TextEncoderStream = original;
    }
  });
});
