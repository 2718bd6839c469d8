// Streams window elements into the generated etch_pool_lane, one line of
// vectors.txt per cycle (hex: first last in_image avg x x_zp mult shift y_zp
// act_min act_max), and writes y (hex) to results.txt in every cycle whose
// out_valid is set: one line per window, after its `last` element. Checks that
// out_valid follows exactly the cycles after a `last`.
module pool_lane_tb;
  logic clk = 1'b0, rst_n = 1'b0, in_valid = 1'b0;
  logic first, last, in_image, avg;
  logic signed [7:0] x, x_zp, shift, y_zp, act_min, act_max, y;
  logic signed [31:0] mult;
  logic out_valid;
  integer fin, fout, n;

  etch_pool_lane dut (
      .clk(clk), .rst_n(rst_n), .in_valid(in_valid), .first(first), .last(last), .in_image(in_image), .avg(avg),
      .x(x), .x_zp(x_zp), .mult(mult), .shift(shift), .y_zp(y_zp), .act_min(act_min), .act_max(act_max),
      .out_valid(out_valid), .y(y));

  initial begin
    fin = $fopen("vectors.txt", "r");
    fout = $fopen("results.txt", "w");
    if (fin == 0) $fatal(1, "vectors.txt missing");
    #1 clk = 1'b1; #1 clk = 1'b0;  // one reset cycle
    rst_n = 1'b1;
    while (!$feof(fin)) begin
      n = $fscanf(fin, "%h %h %h %h %h %h %h %h %h %h %h\n", first, last, in_image, avg, x, x_zp, mult, shift, y_zp,
                  act_min, act_max);
      if (n == 11) begin
        in_valid = 1'b1;
        #1 clk = 1'b1;
        #1 clk = 1'b0;
        if (out_valid !== last) $fatal(1, "out_valid is %b after an element with last = %b", out_valid, last);
        if (out_valid) $fdisplay(fout, "%h", y);
      end
    end
    $fclose(fout);
    $finish;
  end
endmodule
