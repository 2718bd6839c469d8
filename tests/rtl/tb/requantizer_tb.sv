// Drives the generated etch_requantizer with one vector per line of
// vectors.txt (hex: acc bias multiplier shift zero_point act_min act_max) and
// writes, per vector, the registered output y (hex) to results.txt. The C++
// test compares those with etch's integer reference.
module requantizer_tb;
  logic clk = 1'b0, rst_n = 1'b0, in_valid = 1'b0;
  logic signed [31:0] acc, bias, multiplier;
  logic signed [7:0] shift, zero_point, act_min, act_max;
  logic out_valid;
  logic signed [7:0] y;
  integer fin, fout, n;

  etch_requantizer dut (
      .clk(clk), .rst_n(rst_n), .in_valid(in_valid), .acc(acc), .bias(bias), .multiplier(multiplier),
      .shift(shift), .zero_point(zero_point), .act_min(act_min), .act_max(act_max), .out_valid(out_valid), .y(y));

  initial begin
    fin = $fopen("vectors.txt", "r");
    fout = $fopen("results.txt", "w");
    if (fin == 0) $fatal(1, "vectors.txt missing");
    #1 clk = 1'b1; #1 clk = 1'b0;  // one reset cycle
    rst_n = 1'b1;
    while (!$feof(fin)) begin
      n = $fscanf(fin, "%h %h %h %h %h %h %h\n", acc, bias, multiplier, shift, zero_point, act_min, act_max);
      if (n == 7) begin
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
