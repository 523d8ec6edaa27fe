// The op conformance table: the linalg rows (op-table/rows-linalg.ts), checked by op-table/harness.ts.
import { describeRows } from "./op-table/harness.js";
import { LINALG_ROWS } from "./op-table/rows-linalg.js";

describeRows(LINALG_ROWS);
describeRows(LINALG_ROWS, "float64");
