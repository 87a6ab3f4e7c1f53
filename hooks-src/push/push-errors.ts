// Why a push was refused. Kept apart from the API's failures: WeChat never reads our answer's
// body, so the route answers a bare status and logs the reason (never the payload).
export class PushRefused extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export const aesDecryptionFailed = (detail: string) => new PushRefused(400, `encrypted push does not decrypt: ${detail}`);
