/**
 * Lets queued messages in between train steps. A resolved data() read is a
 * microtask, so without a real task boundary the worker would never see a
 * pause. setTimeout(0) is clamped to 4 ms once nested; a MessageChannel hop
 * is not.
 */
let channel: MessageChannel | null = null;
const waiting: (() => void)[] = [];

export function yieldToEvents(): Promise<void> {
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => waiting.shift()?.();
  }
  const port = channel.port2;
  return new Promise((resolve) => {
    waiting.push(resolve);
    port.postMessage(null);
  });
}

/** Closes the channel (Node keeps a process alive while a port is open). */
export function closeYieldChannel(): void {
  channel?.port1.close();
  channel?.port2.close();
  channel = null;
}
