// Drives the generated etch_systolic_array one cycle per line of
// stimulus.txt (hex: preload_valid preload_w x_valid swap x) and writes every
// cycle's output with out_valid set as "cycle psum" (psum in hex, column 0 in
// the low bits) to results.txt. ROWS and COLS are overridden on the
// iverilog command line to the target's array.
module systolic_array_tb #(
    parameter int ROWS = 1,
    parameter int COLS = 1
);
  logic clk = 1'b0, rst_n = 1'b0;
  logic preload_valid = 1'b0, x_valid = 1'b0, swap = 1'b0;
  logic [COLS*8-1:0] preload_w = '0;
  logic [ROWS*8-1:0] x = '0;
  logic out_valid;
  logic [COLS*32-1:0] psum;
  integer fin, fout, n, cycle;

  etch_systolic_array #(.ROWS(ROWS), .COLS(COLS)) dut (
      .clk(clk), .rst_n(rst_n), .preload_valid(preload_valid), .preload_w(preload_w), .x_valid(x_valid),
      .swap(swap), .x(x), .out_valid(out_valid), .psum(psum));

  initial begin
    fin = $fopen("stimulus.txt", "r");
    fout = $fopen("results.txt", "w");
    if (fin == 0) $fatal(1, "stimulus.txt missing");
    #1 clk = 1'b1; #1 clk = 1'b0;  // one reset cycle
    rst_n = 1'b1;
    cycle = 0;
    while (!$feof(fin)) begin
      n = $fscanf(fin, "%h %h %h %h %h\n", preload_valid, preload_w, x_valid, swap, x);
      if (n == 5) begin
        #1 clk = 1'b1;
        #1 clk = 1'b0;
        cycle = cycle + 1;
        // Outputs registered at this edge belong to the inputs `LATENCY` lines earlier.
        if (out_valid === 1'b1) $fdisplay(fout, "%0d %h", cycle, psum);
      end
    end
    $fclose(fout);
    $finish;
  end
endmodule
