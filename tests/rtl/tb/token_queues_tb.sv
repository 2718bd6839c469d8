// Drives the generated etch_token_queues one cycle per line of stimulus.txt
// (hex: want start done_flags done) and writes "ready count overflow" per
// cycle to results.txt: ready as seen before the edge, count and overflow
// after it. BITS (the counters' width) is set on the iverilog command line.
module token_queues_tb #(
    parameter int BITS = 16
);
  logic clk = 1'b0, rst_n = 1'b0;
  logic [11:0] want = '0, done_flags = '0;
  logic [2:0] start = '0, done = '0, ready, ready_seen;
  logic [4*BITS-1:0] count;
  logic overflow;
  integer fin, fout, n;

  etch_token_queues #(.TOKEN_BITS(BITS)) dut (
      .clk(clk), .rst_n(rst_n), .want(want), .start(start), .done_flags(done_flags), .done(done), .ready(ready),
      .count(count), .overflow(overflow));

  initial begin
    fin = $fopen("stimulus.txt", "r");
    fout = $fopen("results.txt", "w");
    if (fin == 0) $fatal(1, "stimulus.txt missing");
    #1 clk = 1'b1; #1 clk = 1'b0;  // one reset cycle
    rst_n = 1'b1;
    while (!$feof(fin)) begin
      n = $fscanf(fin, "%h %h %h %h\n", want, start, done_flags, done);
      if (n == 4) begin
        #1 ready_seen = ready;
        clk = 1'b1;
        #1 clk = 1'b0;
        $fdisplay(fout, "%h %h %h", ready_seen, count, overflow);
      end
    end
    $fclose(fout);
    $finish;
  end
endmodule
