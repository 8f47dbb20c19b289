/// <reference lib="webworker" />
// The LLM worker: WebLLM's engine runs here, the page talks to it through WebWorkerMLCEngine (src/engine/llm/engineClient.ts).
import { WebWorkerMLCEngineHandler } from '@mlc-ai/web-llm';

const handler = new WebWorkerMLCEngineHandler();
self.onmessage = (message: MessageEvent) => handler.onmessage(message);
