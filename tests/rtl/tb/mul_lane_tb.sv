// Drives the generated etch_mul_lane with one vector per line of vectors.txt
// (hex: a b a_zp b_zp mult shift y_zp act_min act_max) and writes the
// registered y (hex) per vector to results.txt.
module mul_lane_tb;
  logic clk = 1'b0, rst_n = 1'b0, in_valid = 1'b0;
  logic signed [7:0] a, b, a_zp, b_zp, shift, y_zp, act_min, act_max, y;
  logic signed [31:0] mult;
  logic out_valid;
  integer fin, fout, n;

  etch_mul_lane dut (
      .clk(clk), .rst_n(rst_n), .in_valid(in_valid), .a(a), .b(b), .a_zp(a_zp), .b_zp(b_zp), .mult(mult),
      .shift(shift), .y_zp(y_zp), .act_min(act_min), .act_max(act_max), .out_valid(out_valid), .y(y));

  initial begin
    fin = $fopen("vectors.txt", "r");
    fout = $fopen("results.txt", "w");
    if (fin == 0) $fatal(1, "vectors.txt missing");
    #1 clk = 1'b1; #1 clk = 1'b0;  // one reset cycle
    rst_n = 1'b1;
    while (!$feof(fin)) begin
      n = $fscanf(fin, "%h %h %h %h %h %h %h %h %h\n", a, b, a_zp, b_zp, mult, shift, y_zp, act_min, act_max);
      if (n == 9) begin
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
