/**
 * A scripted stand-in for WebLLM's engine: implements the part of MLCEngineInterface the
 * rewriter and instruction learning use (ChatEngine = the non-streaming chatCompletion), typed
 * with WebLLM's own request/response types. Records every request.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChatCompletion, ChatCompletionFinishReason, ChatCompletionRequestNonStreaming } from '@mlc-ai/web-llm';
import { parseLexicon, type Lexicon } from '../../../src/core/guard/lexicon.ts';
import type { ChatEngine } from '../../../src/core/rewrite/types.ts';

export type Reply = string | { content: string | null; finish_reason?: ChatCompletionFinishReason } | Error;
export type Script = readonly Reply[] | ((request: ChatCompletionRequestNonStreaming, call: number) => Reply);

export class FakeChatEngine implements ChatEngine {
  readonly requests: ChatCompletionRequestNonStreaming[] = [];
  constructor(private readonly script: Script) {}

  async chatCompletion(request: ChatCompletionRequestNonStreaming): Promise<ChatCompletion> {
    const call = this.requests.length;
    this.requests.push(structuredClone(request));
    const reply = typeof this.script === 'function' ? this.script(request, call) : this.script[call];
    if (reply === undefined) throw new Error(`FakeChatEngine: no scripted reply for call ${call + 1}`);
    if (reply instanceof Error) throw reply;
    const { content, finish_reason } = typeof reply === 'string' ? { content: reply, finish_reason: 'stop' as const } : reply;
    const completion: ChatCompletion = {
      id: `fake-${call}`,
      object: 'chat.completion',
      created: 0,
      model: 'fake-model',
      choices: [{ index: 0, finish_reason: finish_reason ?? 'stop', logprobs: null, message: { role: 'assistant', content } }],
    };
    return completion;
  }

  get calls(): number {
    return this.requests.length;
  }

  /** Text of the last message of request `i` (the user turn or the feedback). */
  lastUserText(i: number): string {
    const msgs = this.requests[i]?.messages ?? [];
    const m = msgs[msgs.length - 1];
    return typeof m?.content === 'string' ? m.content : '';
  }
}

export const rewritten = (caption: string): string => JSON.stringify({ rewritten: caption });
export const instructionReply = (text: string): string => JSON.stringify({ instruction: text });

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** The ORES paper's data (outside the repo, never copied into it). */
export const oresDataDir = fileURLToPath(new URL('../../../../shared/ores-data/', import.meta.url));

let lexicon: Lexicon | undefined;
/** The built guard lexicon (public/guard/lexicon.json), parsed once per test file. */
export function testLexicon(): Lexicon {
  lexicon ??= parseLexicon(readFileSync(repoRoot + 'public/guard/lexicon.json', 'utf8'));
  return lexicon;
}
