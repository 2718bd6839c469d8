// Drives the generated etch_vector_requant one group per line of
// vectors.txt (hex: lane_enable acc bias multiplier shift zero_point act_min
// act_max; acc holds LANES int32, lane 0 in the low bits) and writes
// "out_enable y" after each edge to results.txt. LANES is set on the iverilog
// command line.
module vector_requant_tb #(
    parameter int LANES = 1
);
  logic clk = 1'b0, rst_n = 1'b0, in_valid = 1'b0;
  logic [LANES-1:0] lane_enable = '0, out_enable;
  logic [LANES*32-1:0] acc = '0;
  logic signed [31:0] bias, multiplier;
  logic signed [7:0] shift, zero_point, act_min, act_max;
  logic out_valid;
  logic [LANES*8-1:0] y;
  integer fin, fout, n;

  etch_vector_requant #(.LANES(LANES)) dut (
      .clk(clk), .rst_n(rst_n), .in_valid(in_valid), .lane_enable(lane_enable), .acc(acc), .bias(bias),
      .multiplier(multiplier), .shift(shift), .zero_point(zero_point), .act_min(act_min), .act_max(act_max),
      .out_valid(out_valid), .out_enable(out_enable), .y(y));

  initial begin
    fin = $fopen("vectors.txt", "r");
    fout = $fopen("results.txt", "w");
    if (fin == 0) $fatal(1, "vectors.txt missing");
    #1 clk = 1'b1; #1 clk = 1'b0;  // one reset cycle
    rst_n = 1'b1;
    while (!$feof(fin)) begin
      n = $fscanf(fin, "%h %h %h %h %h %h %h %h\n", lane_enable, acc, bias, multiplier, shift, zero_point, act_min,
                  act_max);
      if (n == 8) begin
        in_valid = 1'b1;
        #1 clk = 1'b1;
        #1 clk = 1'b0;
        if (out_valid !== 1'b1) $fatal(1, "out_valid not set one cycle after in_valid");
        $fdisplay(fout, "%h %h", out_enable, y);
      end
    end
    $fclose(fout);
    $finish;
  end
endmodule
