# latency.gp: produce latency percentiles against offered load, acks=1 and
# acks=all (RF 3, linger 0, open loop), from suite_table.py --plot-data.
#   gnuplot -e "datafile='latency.dat'; outfile='latency.svg'" latency.gp
set terminal svg size 900,560 dynamic font "sans,12" background rgb "white"
set output outfile
set title "Gregor produce latency against offered load (3 brokers, RF 3, 6 partitions, 100 B, linger 0)"
set xlabel "offered load (msg/s, open loop)"
set ylabel "latency from scheduled send to acknowledgement (ms)"
set logscale xy
set grid xtics ytics mytics
set key top left
set format y "%g"
plot datafile using 1:2 with linespoints lw 2 pt 7 lc rgb "#1b9e77" title "acks=1 p50", \
     datafile using 1:3 with linespoints lw 2 pt 5 lc rgb "#1b9e77" dt 2 title "acks=1 p99", \
     datafile using 1:4 with linespoints lw 1 pt 9 lc rgb "#1b9e77" dt 3 title "acks=1 p99.9", \
     datafile using 1:5 with linespoints lw 2 pt 7 lc rgb "#d95f02" title "acks=all p50", \
     datafile using 1:6 with linespoints lw 2 pt 5 lc rgb "#d95f02" dt 2 title "acks=all p99", \
     datafile using 1:7 with linespoints lw 1 pt 9 lc rgb "#d95f02" dt 3 title "acks=all p99.9"
