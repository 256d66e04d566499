/**
 * A response body as text, read chunk by chunk and given up (the body cancelled) as soon as it passes `maxBytes`,
 * or when its declared length already does: null then. Nothing larger than the cap is ever held in memory.
 */
export async function readCapped(res: Response, maxBytes: number): Promise<string | null> {
  if (Number(res.headers.get("content-length") ?? 0) > maxBytes) {
    await res.body?.cancel();
    return null;
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}
