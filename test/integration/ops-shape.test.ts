// The op conformance table: the shape rows (op-table/rows-shape.ts), checked by op-table/harness.ts.
import { describeRows } from "./op-table/harness.js";
import { SHAPE_ROWS } from "./op-table/rows-shape.js";

describeRows(SHAPE_ROWS);
describeRows(SHAPE_ROWS, "float64");
