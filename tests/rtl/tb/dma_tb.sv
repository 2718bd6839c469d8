// Runs the generated etch_dma against a DRAM model and the generated input
// and weight buffers. commands.txt holds one command per line (hex):
//   op background buf dram sram rows row_bytes dram_stride sram_stride reps
//   dram_rep_stride sram_rep_stride ready
// op 0 = LOAD, 1 = STORE, 2 = end of a phase. A phase's LOADs go to the DMA's
// load port and its STOREs to its store port, each in file order, like the
// two engines; the next phase starts when every command of this one is done.
// `ready` on the phase's end line: 0 = DRAM takes a request every cycle,
// 1 = it refuses some cycles (a fixed pseudo-random pattern).
// DRAM: dram_in.hex (one byte per line), a request's access happens when it is
// taken, its response LAT cycles later. Writes results.txt:
//   "L|S index accept_cycle done_cycle" per command, then "I word data" and
//   "W word data" for every buffer word, then "D byte" for every DRAM byte.
module dma_tb #(
    parameter int BEAT = 8, parameter int LEN_BITS = 4, parameter int IN_WORD = 16, parameter int IN_ADDR = 11,
    parameter int W_WORD = 16, parameter int W_ADDR = 11, parameter int OFF_BITS = 4, parameter int FIFO_BITS = 6,
    parameter int LAT = 50, parameter int DRAM_BYTES = 131072, parameter int IN_WORDS = 2048,
    parameter int W_WORDS = 2048
);
  localparam int MAXC = 1024;
  logic clk = 1'b0, rst_n = 1'b0;
  always #5 clk = ~clk;

  logic load_valid = 0, load_buf = 0, load_background = 0, store_valid = 0;
  logic [39:0] load_dram = 0, store_dram = 0;
  logic [31:0] load_sram = 0, load_row_bytes = 0, load_dram_stride = 0, load_sram_stride = 0,
               load_dram_rep_stride = 0, load_sram_rep_stride = 0;
  logic [31:0] store_sram = 0, store_row_bytes = 0, store_dram_stride = 0, store_sram_stride = 0,
               store_dram_rep_stride = 0, store_sram_rep_stride = 0;
  logic [19:0] load_rows = 0, load_reps = 0, store_rows = 0, store_reps = 0;
  logic load_accept, load_done, store_accept, store_done;
  logic mem_req_valid, mem_req_write, mem_req_ready, mem_resp_valid;
  logic [39:0] mem_req_addr;
  logic [LEN_BITS-1:0] mem_req_len;
  logic [BEAT*8-1:0] mem_req_wdata, mem_resp_rdata;
  logic in_en, in_we, w_en, w_we;
  logic [IN_WORD-1:0] in_wstrb;
  logic [IN_ADDR-1:0] in_addr;
  logic [IN_WORD*8-1:0] in_wdata, in_rdata;
  logic [W_WORD-1:0] w_wstrb;
  logic [W_ADDR-1:0] w_addr;
  logic [W_WORD*8-1:0] w_wdata, w_rdata_a;
  logic b_en = 0;
  logic [IN_ADDR-1:0] ib_addr = 0;
  logic [W_ADDR-1:0] wb_addr = 0;
  logic [IN_WORD*8-1:0] ib_rdata;
  logic [W_WORD*8-1:0] wb_rdata;
  logic ib_conflict, wb_conflict;
  logic [IN_WORD-1:0] in_zero_strb = '0;
  logic [IN_WORD*8-1:0] in_zero = '0;
  logic [W_WORD-1:0] w_zero_strb = '0;
  logic [W_WORD*8-1:0] w_zero = '0;

  etch_dma dut (.*);
  etch_input_buffer ibuf (
      .clk(clk), .a_en(in_en), .a_we(in_we), .a_wstrb(in_wstrb), .a_addr(in_addr), .a_wdata(in_wdata),
      .a_rdata(in_rdata), .b_en(b_en), .b_we(1'b0), .b_wstrb(in_zero_strb), .b_addr(ib_addr), .b_wdata(in_zero),
      .b_rdata(ib_rdata), .b_conflict(ib_conflict));
  etch_weight_buffer wbuf (
      .clk(clk), .a_en(w_en), .a_we(w_we), .a_wstrb(w_wstrb), .a_addr(w_addr), .a_wdata(w_wdata),
      .a_rdata(w_rdata_a), .b_en(b_en), .b_we(1'b0), .b_wstrb(w_zero_strb), .b_addr(wb_addr), .b_wdata(w_zero),
      .b_rdata(wb_rdata), .b_conflict(wb_conflict));

  // ---- DRAM ----
  logic [7:0] dram[DRAM_BYTES];
  logic pipe_valid[LAT];
  logic [BEAT*8-1:0] pipe_data[LAT];
  logic ready_mode = 0;
  logic [15:0] lfsr = 16'hace1;
  integer cycle = 0;
  assign mem_req_ready = !ready_mode || lfsr[0] || lfsr[3];
  assign mem_resp_valid = pipe_valid[LAT-1];
  assign mem_resp_rdata = pipe_data[LAT-1];
  always @(posedge clk) begin
    logic [BEAT*8-1:0] d;
    cycle <= cycle + 1;
    lfsr <= {lfsr[14:0], lfsr[15] ^ lfsr[13] ^ lfsr[12] ^ lfsr[10]};
    d = '0;
    if (rst_n && mem_req_valid && mem_req_ready) begin
      for (int b = 0; b < BEAT; b++)
        if (b < mem_req_len) begin
          if (mem_req_write) dram[mem_req_addr + b] = mem_req_wdata[8*b+:8];
          else d[8*b+:8] = dram[mem_req_addr + b];
        end
    end
    for (int k = LAT - 1; k > 0; k--) begin
      pipe_valid[k] <= pipe_valid[k-1];
      pipe_data[k] <= pipe_data[k-1];
    end
    pipe_valid[0] <= rst_n && mem_req_valid && mem_req_ready;
    pipe_data[0] <= d;
  end

  // ---- commands ----
  integer op[MAXC], bg[MAXC], bf[MAXC], dr[MAXC], sr[MAXC], rows[MAXC], rb[MAXC], ds[MAXC], ss[MAXC], reps[MAXC],
          drs[MAXC], srs[MAXC], rdy[MAXC];
  integer lq[MAXC], sq[MAXC], la[MAXC], sa[MAXC];
  integer fin, fout, n, ncmd, i, j, k, nl, ns, lh, sh, ldn, sdn;

  initial begin
    for (k = 0; k < LAT; k++) pipe_valid[k] = 0;
    $readmemh("dram_in.hex", dram);
    fin = $fopen("commands.txt", "r");
    fout = $fopen("results.txt", "w");
    if (fin == 0) $fatal(1, "commands.txt missing");
    ncmd = 0;
    while (!$feof(fin)) begin
      n = $fscanf(fin, "%h %h %h %h %h %h %h %h %h %h %h %h %h\n", op[ncmd], bg[ncmd], bf[ncmd], dr[ncmd], sr[ncmd],
                  rows[ncmd], rb[ncmd], ds[ncmd], ss[ncmd], reps[ncmd], drs[ncmd], srs[ncmd], rdy[ncmd]);
      if (n == 13) ncmd = ncmd + 1;
    end
    repeat (2) @(negedge clk);
    rst_n = 1;
    i = 0;
    while (i < ncmd) begin
      j = i;
      nl = 0;
      ns = 0;
      while (j < ncmd && op[j] != 2) begin
        if (op[j] == 0) begin lq[nl] = j; nl = nl + 1; end
        else begin sq[ns] = j; ns = ns + 1; end
        j = j + 1;
      end
      ready_mode = j < ncmd ? rdy[j][0] : 1'b0;
      lh = 0; sh = 0; ldn = 0; sdn = 0;
      while (lh < nl || sh < ns || ldn < nl || sdn < ns) begin
        @(negedge clk);
        load_valid = lh < nl;
        if (lh < nl) begin
          k = lq[lh];
          load_background = bg[k][0]; load_buf = bf[k][0]; load_dram = dr[k]; load_sram = sr[k];
          load_rows = rows[k]; load_row_bytes = rb[k]; load_dram_stride = ds[k]; load_sram_stride = ss[k];
          load_reps = reps[k]; load_dram_rep_stride = drs[k]; load_sram_rep_stride = srs[k];
        end
        store_valid = sh < ns;
        if (sh < ns) begin
          k = sq[sh];
          store_dram = dr[k]; store_sram = sr[k]; store_rows = rows[k]; store_row_bytes = rb[k];
          store_dram_stride = ds[k]; store_sram_stride = ss[k]; store_reps = reps[k];
          store_dram_rep_stride = drs[k]; store_sram_rep_stride = srs[k];
        end
        #1;
        if (load_done) begin $fdisplay(fout, "L %0d %0d %0d", lq[ldn], la[ldn], cycle); ldn = ldn + 1; end
        if (store_done) begin $fdisplay(fout, "S %0d %0d %0d", sq[sdn], sa[sdn], cycle); sdn = sdn + 1; end
        if (load_accept) begin la[lh] = cycle; lh = lh + 1; end
        if (store_accept) begin sa[sh] = cycle; sh = sh + 1; end
        if (cycle > 2000000) $fatal(1, "no progress");
      end
      @(negedge clk);
      load_valid = 0;
      store_valid = 0;
      i = j + 1;
    end
    // Read both buffers back through port B.
    for (k = 0; k < IN_WORDS; k++) begin
      @(negedge clk); b_en = 1; ib_addr = IN_ADDR'(k);
      @(negedge clk); b_en = 0; $fdisplay(fout, "I %0d %h", k, ib_rdata);
    end
    for (k = 0; k < W_WORDS; k++) begin
      @(negedge clk); b_en = 1; wb_addr = W_ADDR'(k);
      @(negedge clk); b_en = 0; $fdisplay(fout, "W %0d %h", k, wb_rdata);
    end
    for (k = 0; k < DRAM_BYTES; k++) $fdisplay(fout, "D %h", dram[k]);
    $fclose(fout);
    $finish;
  end
endmodule
