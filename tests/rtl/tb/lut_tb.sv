// Drives the generated etch_lut with one operation per line of vectors.txt
// (hex: op index strb data x; op 0 writes table bytes, op 1 looks up `x`),
// one per cycle, and writes y (hex, lane 0 in the low byte) after each lookup
// to results.txt.
module lut_tb #(
    parameter int LANES = 16,
    parameter int LOAD_BYTES = 16
);
  logic clk = 1'b0, rst_n = 1'b0, load_en = 1'b0, in_valid = 1'b0, out_valid;
  logic [7:0] load_index;
  logic [LOAD_BYTES-1:0] load_strb;
  logic [LOAD_BYTES*8-1:0] load_data;
  logic [LANES*8-1:0] x, y;
  integer fin, fout, n, op;

  etch_lut #(.LANES(LANES), .LOAD_BYTES(LOAD_BYTES)) dut (
      .clk(clk), .rst_n(rst_n), .load_en(load_en), .load_index(load_index), .load_strb(load_strb),
      .load_data(load_data), .in_valid(in_valid), .x(x), .out_valid(out_valid), .y(y));

  initial begin
    fin = $fopen("vectors.txt", "r");
    fout = $fopen("results.txt", "w");
    if (fin == 0) $fatal(1, "vectors.txt missing");
    #1 clk = 1'b1; #1 clk = 1'b0;  // one reset cycle
    rst_n = 1'b1;
    while (!$feof(fin)) begin
      n = $fscanf(fin, "%h %h %h %h %h\n", op, load_index, load_strb, load_data, x);
      if (n == 5) begin
        load_en = op == 0;
        in_valid = op == 1;
        #1 clk = 1'b1;
        #1 clk = 1'b0;
        if (out_valid !== in_valid) $fatal(1, "out_valid is %b after in_valid %b", out_valid, in_valid);
        if (in_valid) $fdisplay(fout, "%h", y);
      end
    end
    $fclose(fout);
    $finish;
  end
endmodule
