// Plain-canvas plots for the demo: a line plot (linear or log y axis, optional right-hand axis) and a heat map
// with a colour bar. Both size themselves to their container, redraw on resize and at the device pixel ratio,
// and always draw axis labels, tick values and a legend.
// One module per plot (plot-line.ts, plot-heat.ts) on shared parts (plot-base.ts); this file is what the pages import.
export { niceTicks, fmtTick, fmtNum, CanvasView, type Range } from "./plot-base.js";
export { LinePlot, type Series, type LinePlotOptions } from "./plot-line.js";
export { HeatMap, type HeatMapOptions, type HeatData, type ColorMap } from "./plot-heat.js";
