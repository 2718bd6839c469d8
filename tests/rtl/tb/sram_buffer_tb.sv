// Drives the generated etch_input_buffer one cycle per line of stimulus.txt
// (hex: a_en a_we a_wstrb a_addr a_wdata b_en b_we b_wstrb b_addr b_wdata) and
// writes after every edge "a_rdata b_rdata b_conflict" to results.txt, where
// b_conflict is the value seen during that line's cycle.
// W (word bytes) and A (address bits) are set on the iverilog command line.
module sram_buffer_tb #(
    parameter int W = 1,
    parameter int A = 1
);
  logic clk = 1'b0;
  logic a_en, a_we, b_en, b_we, b_conflict;
  logic [W-1:0] a_wstrb, b_wstrb;
  logic [A-1:0] a_addr, b_addr;
  logic [W*8-1:0] a_wdata, b_wdata, a_rdata, b_rdata;
  logic conflict_seen;
  integer fin, fout, n;

  etch_input_buffer buffer (
      .clk(clk), .a_en(a_en), .a_we(a_we), .a_wstrb(a_wstrb), .a_addr(a_addr), .a_wdata(a_wdata), .a_rdata(a_rdata),
      .b_en(b_en), .b_we(b_we), .b_wstrb(b_wstrb), .b_addr(b_addr), .b_wdata(b_wdata), .b_rdata(b_rdata),
      .b_conflict(b_conflict));

  initial begin
    fin = $fopen("stimulus.txt", "r");
    fout = $fopen("results.txt", "w");
    if (fin == 0) $fatal(1, "stimulus.txt missing");
    while (!$feof(fin)) begin
      n = $fscanf(fin, "%h %h %h %h %h %h %h %h %h %h\n", a_en, a_we, a_wstrb, a_addr, a_wdata, b_en, b_we, b_wstrb,
                  b_addr, b_wdata);
      if (n == 10) begin
        #1 conflict_seen = b_conflict;
        clk = 1'b1;
        #1 clk = 1'b0;
        $fdisplay(fout, "%h %h %h", a_rdata, b_rdata, conflict_seen);
      end
    end
    $fclose(fout);
    $finish;
  end
endmodule
