// The host's Unix domain sockets, by path: a daemon listens (dockerd on /var/run/docker.sock),
// a client connects and talks to the server object behind it. Nothing listening is ECONNREFUSED
// to the client, as a socket file without its daemon is.

export class UnixSockets {
  private readonly servers = new Map<string, unknown>();

  /** Listens on `path`; the returned function closes the socket. */
  listen(path: string, server: unknown): () => void {
    this.servers.set(path, server);
    return () => {
      if (this.servers.get(path) === server) this.servers.delete(path);
    };
  }

  connect<T>(path: string): T | undefined {
    return this.servers.get(path) as T | undefined;
  }
}
