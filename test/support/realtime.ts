// A minimal client of PocketBase's realtime API (server-sent events over GET /api/realtime):
// connect, subscribe with or without a token, collect the events.
export async function realtimeConnection(baseUrl: string) {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/api/realtime`, { signal: controller.signal });
  const reader = response.body!.getReader();
  const events: string[] = [];
  let buffer = "";
  let resolveClientId: (id: string) => void;
  const clientId = new Promise<string>((resolve) => (resolveClientId = resolve));
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += new TextDecoder().decode(value);
        for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const id = /^id:(.*)$/m.exec(event)?.[1]?.trim();
          if (/^event:PB_CONNECT$/m.test(event) && id) resolveClientId(id);
          else events.push(event);
        }
      }
    } catch {
      // aborted
    }
  })();
  const id = await clientId;
  return {
    events,
    async subscribe(subscriptions: string[], token?: string): Promise<number> {
      const answer = await fetch(`${baseUrl}/api/realtime`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: token } : {}) },
        body: JSON.stringify({ clientId: id, subscriptions }),
      });
      await answer.text();
      return answer.status;
    },
    close: () => controller.abort(),
  };
}
