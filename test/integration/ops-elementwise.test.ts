// The op conformance table: the elementwise rows (op-table/rows-elementwise.ts), checked by op-table/harness.ts.
import { describeRows } from "./op-table/harness.js";
import { ELEMENTWISE_ROWS } from "./op-table/rows-elementwise.js";

describeRows(ELEMENTWISE_ROWS);
describeRows(ELEMENTWISE_ROWS, "float64");
