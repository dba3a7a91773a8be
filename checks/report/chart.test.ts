/** The benchmark plots: a line chart draws one path per series, a legend, escaped labels. */
import { describe, expect, it } from 'vitest';
import { chartPage, htmlTable, lineChartSvg } from './chart.ts';

describe('lineChartSvg', () => {
  it('one path and one legend entry per series; labels escaped; log-x ticks at the data', () => {
    const svg = lineChartSvg(
      [
        { label: 'a<b', points: [[4, 2], [8, 3], [16, 4]] },
        { label: 'log2 N', points: [[4, 2], [8, 3], [16, 4]], dashed: true },
      ],
      { title: 'T & U', xLabel: 'N', yLabel: 'rounds', logX: true },
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).toContain('a&lt;b');
    expect(svg).toContain('T &amp; U');
    expect(svg).toContain('stroke-dasharray');
    for (const x of ['>4<', '>8<', '>16<']) expect(svg).toContain(x);
    // log scale: 8 sits halfway between 4 and 16
    const xs = [...svg.matchAll(/<circle cx="([\d.]+)"/g)].slice(0, 3).map((m) => Number(m[1]));
    expect(xs[1]! - xs[0]!).toBeCloseTo(xs[2]! - xs[1]!, 1);
  });
  it('page and table', () => {
    expect(chartPage('P', [htmlTable([['h'], [1]])])).toMatch(/<title>P<\/title>.*<th>h<\/th>.*<td>1<\/td>/s);
  });
});
