// Chart.js under the panel's strict CSP: no eval, no injected <style>; it sizes canvases through
// the CSSOM (allowed), and each canvas sits in a box whose height the stylesheet sets
// (maintainAspectRatio off), so nothing depends on inline styles. Colours are the theme's chart
// colours (CSS variables), read again when the theme changes. Animations are off: numbers appear
// at once and screenshots are stable.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { h } from '../../shared/ui/dom';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip, ScatterController, PointElement);

/** Pixels; a chart with two bars would otherwise draw two slabs. */
const MAX_BAR_THICKNESS = 56;

/** The theme's chart palette, by role. */
export interface Palette {
  foreground: string;
  lines: string;
  blue: string;
  green: string;
  red: string;
  yellow: string;
  orange: string;
  purple: string;
}

function cssVariable(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

export function themePalette(): Palette {
  const foreground = cssVariable('--vscode-charts-foreground', cssVariable('--vscode-foreground', '#888888'));
  return {
    foreground,
    lines: cssVariable('--vscode-charts-lines', 'rgba(128, 128, 128, 0.4)'),
    blue: cssVariable('--vscode-charts-blue', '#3794ff'),
    green: cssVariable('--vscode-charts-green', '#89d185'),
    red: cssVariable('--vscode-charts-red', '#f14c4c'),
    yellow: cssVariable('--vscode-charts-yellow', '#cca700'),
    orange: cssVariable('--vscode-charts-orange', '#d18616'),
    purple: cssVariable('--vscode-charts-purple', '#b180d7'),
  };
}

export interface BarSeries {
  label: string;
  values: number[];
  colour: string;
}

export interface BarChartSpec {
  id: string;
  /** What the chart shows, for screen readers (the table beside it has the numbers). */
  description: string;
  labels: string[];
  series: BarSeries[];
  /** Bars along the x axis (false) or the y axis (true, for long labels). */
  horizontal?: boolean;
  stacked?: boolean;
  /** Whole numbers on the value axis (counts). */
  integers?: boolean;
  /** Taller box for charts with many bars. */
  tall?: boolean;
  /** The value axis' end, when it has one (100 for percentages). */
  max?: number;
}

export interface ScatterPoint {
  x: number;
  y: number;
  /** Named in the point's tooltip. */
  label: string;
}

export interface ScatterChartSpec {
  id: string;
  /** What the chart shows, for screen readers (the table beside it has the numbers). */
  description: string;
  points: ScatterPoint[];
  x: { title: string; min: number; max: number };
  y: { title: string; min: number; max: number };
  colour: string;
}

/** The charts drawn now; destroyed before the page draws new ones. */
export class ChartBoard {
  private readonly charts = new Map<string, Chart>();

  /** A canvas in a sized box; the chart is drawn into it once the box is in the document. */
  bar(spec: BarChartSpec, palette: Palette): HTMLElement {
    return this.draw(spec, spec.tall ? 'chart tall' : 'chart', (canvas) => new Chart(canvas, barConfig(spec, palette)));
  }

  scatter(spec: ScatterChartSpec, palette: Palette): HTMLElement {
    return this.draw(spec, 'chart', (canvas) => new Chart(canvas, scatterConfig(spec, palette)));
  }

  private draw(spec: { id: string; description: string }, boxClass: string, chart: (canvas: HTMLCanvasElement) => Chart): HTMLElement {
    const canvas = h('canvas', { id: spec.id, attrs: { role: 'img', 'aria-label': spec.description } });
    const box = h('div', { class: boxClass }, canvas);
    this.charts.get(spec.id)?.destroy();
    this.charts.set(spec.id, chart(canvas));
    return box;
  }

  /** Redraws charts whose box was hidden (a tab that just became visible). */
  resize(): void {
    this.charts.forEach((chart) => chart.resize());
  }

  clear(): void {
    this.charts.forEach((chart) => chart.destroy());
    this.charts.clear();
  }
}

/** Every chart: fills its box, no animation, the theme's text colour and font. */
function sharedOptions(palette: Palette) {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false as const,
    color: palette.foreground,
    font: { family: getComputedStyle(document.body).fontFamily },
  };
}

function barConfig(spec: BarChartSpec, palette: Palette): ChartConfiguration<'bar'> {
  const valueAxis = spec.horizontal ? 'x' : 'y';
  const categoryAxis = spec.horizontal ? 'y' : 'x';
  const axisStyle = { ticks: { color: palette.foreground }, grid: { color: palette.lines }, border: { color: palette.lines } };
  return {
    type: 'bar',
    data: {
      labels: spec.labels,
      datasets: spec.series.map((series) => ({
        label: series.label,
        data: series.values,
        backgroundColor: series.colour,
        borderColor: series.colour,
        borderWidth: 1,
        maxBarThickness: MAX_BAR_THICKNESS,
      })),
    },
    options: {
      indexAxis: categoryAxis === 'y' ? 'y' : 'x',
      ...sharedOptions(palette),
      plugins: {
        legend: { display: spec.series.length > 1, labels: { color: palette.foreground } },
        tooltip: { enabled: true },
      },
      scales: {
        [categoryAxis]: { ...axisStyle, stacked: spec.stacked ?? false },
        [valueAxis]: {
          ...axisStyle,
          beginAtZero: true,
          ...(spec.max !== undefined ? { max: spec.max } : {}),
          stacked: spec.stacked ?? false,
          ticks: { color: palette.foreground, ...(spec.integers ? { precision: 0 } : {}) },
        },
      },
    },
  };
}

function scatterConfig(spec: ScatterChartSpec, palette: Palette): ChartConfiguration<'scatter'> {
  const axis = (title: string, min: number, max: number) => ({
    min,
    max,
    title: { display: true, text: title, color: palette.foreground },
    ticks: { color: palette.foreground },
    grid: { color: palette.lines },
    border: { color: palette.lines },
  });
  return {
    type: 'scatter',
    data: {
      datasets: [
        {
          label: spec.description,
          data: spec.points.map(({ x, y }) => ({ x, y })),
          backgroundColor: spec.colour,
          borderColor: spec.colour,
          pointRadius: 5,
          pointHoverRadius: 7,
          clip: false, // a point on an axis' end is drawn whole
        },
      ],
    },
    options: {
      ...sharedOptions(palette),
      plugins: {
        legend: { display: false },
        tooltip: { enabled: true, callbacks: { label: (item) => `${spec.points[item.dataIndex]?.label ?? ''}: (${item.parsed.x}, ${item.parsed.y})` } },
      },
      scales: { x: axis(spec.x.title, spec.x.min, spec.x.max), y: axis(spec.y.title, spec.y.min, spec.y.max) },
    },
  };
}
