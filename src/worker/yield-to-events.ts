/**
 * Lets queued messages in between units of work. A resolved data() read is
 * a microtask, so without a real task boundary the worker would never see a
 * pause or a cancel. setTimeout(0) is clamped to 4 ms once nested; a
 * MessageChannel hop is not. Two channels, used in turn: Node drains one
 * port's queue (up to 1,000 messages) before it looks at any other port, so
 * a loop hopping on a single channel would keep other ports' messages out.
 */
let channels: [MessageChannel, MessageChannel] | null = null;
let turn: 0 | 1 = 0;
const waiting: (() => void)[] = [];

export function yieldToEvents(): Promise<void> {
  if (!channels) {
    channels = [new MessageChannel(), new MessageChannel()];
    for (const c of channels) c.port1.onmessage = () => waiting.shift()?.();
  }
  const port = channels[turn].port2;
  turn = turn === 0 ? 1 : 0;
  return new Promise((resolve) => {
    waiting.push(resolve);
    port.postMessage(null);
  });
}

/** Closes the channels (Node keeps a process alive while a port is open). */
export function closeYieldChannel(): void {
  for (const c of channels ?? []) {
    c.port1.close();
    c.port2.close();
  }
  channels = null;
}
