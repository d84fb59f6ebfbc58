// Saves bytes on the user's machine: a Blob URL behind a temporary <a download>, the way a
// page offers a generated file. Used for `download FILE` and the topology's captures.

export function saveFile(name: string, bytes: Uint8Array, type = mimeType(name)): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // The browser has started the download by now; keep the URL a little longer for slow ones.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** pcap files open in Wireshark by type; the rest are plain bytes or text. */
export function mimeType(name: string): string {
  if (name.endsWith('.pcap')) return 'application/vnd.tcpdump.pcap';
  if (/\.(txt|env|conf|conflist|json|log)$/.test(name)) return 'text/plain';
  return 'application/octet-stream';
}
