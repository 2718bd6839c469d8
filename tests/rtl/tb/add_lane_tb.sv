// Drives the generated etch_add_lane with one vector per line of vectors.txt
// (hex: a b a_zp b_zp left_shift a_mult a_shift b_mult b_shift mult shift y_zp
// act_min act_max) and writes the registered y (hex) per vector to
// results.txt.
module add_lane_tb;
  logic clk = 1'b0, rst_n = 1'b0, in_valid = 1'b0;
  logic signed [7:0] a, b, a_zp, b_zp, a_shift, b_shift, shift, y_zp, act_min, act_max, y;
  logic [5:0] left_shift;
  logic signed [31:0] a_mult, b_mult, mult;
  logic out_valid;
  integer fin, fout, n;

  etch_add_lane dut (
      .clk(clk), .rst_n(rst_n), .in_valid(in_valid), .a(a), .b(b), .a_zp(a_zp), .b_zp(b_zp), .left_shift(left_shift),
      .a_mult(a_mult), .a_shift(a_shift), .b_mult(b_mult), .b_shift(b_shift), .mult(mult), .shift(shift),
      .y_zp(y_zp), .act_min(act_min), .act_max(act_max), .out_valid(out_valid), .y(y));

  initial begin
    fin = $fopen("vectors.txt", "r");
    fout = $fopen("results.txt", "w");
    if (fin == 0) $fatal(1, "vectors.txt missing");
    #1 clk = 1'b1; #1 clk = 1'b0;  // one reset cycle
    rst_n = 1'b1;
    while (!$feof(fin)) begin
      n = $fscanf(fin, "%h %h %h %h %h %h %h %h %h %h %h %h %h %h\n", a, b, a_zp, b_zp, left_shift, a_mult, a_shift,
                  b_mult, b_shift, mult, shift, y_zp, act_min, act_max);
      if (n == 14) begin
        in_valid = 1'b1;
        #1 clk = 1'b1;
        #1 clk = 1'b0;
        if (out_valid !== 1'b1) $fatal(1, "out_valid not set one cycle after in_valid");
        $fdisplay(fout, "%h", y);
      end
    end
    $fclose(fout);
    $finish;
  end
endmodule
