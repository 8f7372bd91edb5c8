import { CopyButton } from "./copy-button";

/** A monospace block of text to copy (commands, tokens). */
export function CodeBlock({ text, testId }: { text: string; testId?: string }) {
  return (
    <div className="relative rounded-md border border-slate-800 bg-slate-900">
      <pre
        data-testid={testId}
        className="overflow-x-auto px-3 py-2.5 pr-20 font-mono text-xs leading-relaxed whitespace-pre-wrap text-slate-100"
      >
        {text}
      </pre>
      <div className="absolute top-1.5 right-1.5">
        <CopyButton text={text} />
      </div>
    </div>
  );
}
