/** One scrape of GET /metrics: each sample (`name{labels}` as written) with its value. */
export interface Scrape {
  status: number;
  contentType: string | null;
  samples: Map<string, number>;
}

export async function scrapeMetrics(baseUrl: string): Promise<Scrape> {
  const response = await fetch(`${baseUrl}/metrics`);
  const text = await response.text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return { status: response.status, contentType: response.headers.get('content-type'), samples };
}
