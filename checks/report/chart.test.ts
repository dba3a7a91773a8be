/** The benchmark charts: a line chart draws one path per series, a legend, escaped labels; bars scale. */
import { describe, expect, it } from 'vitest';
import { barChartSvg, htmlTable, lineChartSvg } from './chart.ts';

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
});

describe('barChartSvg', () => {
  it('one bar per value, scaled to max (default: the largest), values formatted, labels escaped', () => {
    const svg = barChartSvg(
      [
        { label: 'x<y', value: 2 },
        { label: 'z', value: 4 },
        { label: 'w', value: 1 },
      ],
      { title: 'B', format: (v) => `${v} MB/s` },
    );
    const widths = [...svg.matchAll(/<rect class="bar" x="\d+" y="\d+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(3);
    expect(widths[0]! * 2).toBeCloseTo(widths[1]!, 0);
    expect(widths[2]! * 4).toBeCloseTo(widths[1]!, 0);
    expect(svg).toContain('x&lt;y');
    expect(svg).toContain('>4 MB/s<');
    const fixed = barChartSvg([{ label: 'half', value: 0.5 }], { title: 'B', max: 1 });
    const w = Number(/width="([\d.]+)" height/.exec(fixed.slice(fixed.indexOf('<rect')))![1]);
    expect(w).toBeCloseTo((330 - 70) / 2, 1);
  });

  it('table', () => {
    expect(htmlTable([['h'], [1]])).toMatch(/<th>h<\/th>.*<td>1<\/td>/s);
  });
});
