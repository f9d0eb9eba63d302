/**
 * The benchmarks' HTTP client, run as a process of its own so its work never shares the server's
 * event loop: `tsx bench/http-client.ts URL N` fetches URL N times in a row (the first is timed on
 * its own) and prints {"first": ms, "times": [ms, ...]} as JSON.
 */
const [url, count] = process.argv.slice(2);
const times: number[] = [];
for (let i = 0; i < Number(count); i++) {
  const started = performance.now();
  const response = await fetch(url!, { headers: { 'accept-encoding': 'gzip' } });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  times.push(performance.now() - started);
}
console.log(JSON.stringify({ first: times[0], times: times.slice(1) }));
