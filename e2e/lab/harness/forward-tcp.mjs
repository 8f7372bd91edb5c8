// A TCP forwarder for the lab (issue #17): the controller listens on the underlay bridge's IPv6
// address only, and IPv4-only or NATed lab nodes reach it through this, on the bridge's lab
// IPv4 address. Usage: node forward-tcp.mjs LISTEN_HOST LISTEN_PORT TARGET_HOST TARGET_PORT
import net from "node:net";

const [listenHost, listenPort, targetHost, targetPort] = process.argv.slice(2);
const server = net.createServer((client) => {
  const upstream = net.connect(Number(targetPort), targetHost);
  client.pipe(upstream);
  upstream.pipe(client);
  client.on("error", () => upstream.destroy());
  upstream.on("error", () => client.destroy());
});
server.listen(Number(listenPort), listenHost, () => {
  console.log(`forwarding ${listenHost}:${listenPort} -> [${targetHost}]:${targetPort}`);
});
