# results.gnuplot - the chart of tests/bench/run:
#	gnuplot -e "data='FILE'; output='PNG'" results.gnuplot
# FILE has a line per case: "label" value target colour cpu, where value
# is calcd relative to its peer with higher better (requests/s over the
# peer's, or the peer's memory over calcd's), target the value wanted
# (NaN: none), colour the bar's (green reached, red not, blue no target)
# and cpu the peer's CPU time per request over calcd's (NaN: not
# measured).
set terminal pngcairo size 1400,800 noenhanced font "sans,10"
set output output
set title "calcd relative to its peer: higher is better, 1 is a tie"
set style fill solid 0.85 border -1
set boxwidth 0.38
set logscale y 2
set yrange [0.0625:64]
set ytics ("1/16" 0.0625, "1/8" 0.125, "1/4" 0.25, "1/2" 0.5, "1" 1, \
    "2" 2, "4" 4, "8" 8, "16" 16, "32" 32, "64" 64)
set grid ytics
set xtics rotate by -35 left
set bmargin 15
set rmargin 10
set key top center box opaque
set arrow from graph 0, first 1 to graph 1, first 1 nohead lw 1.5 dt 2
plot data using ($0 - 0.2):2:4:xtic(1) with boxes lc rgb variable notitle, \
     '' using ($0 - 0.2):2:(sprintf("%.2f", $2)) with labels \
        offset 0,0.7 font "sans,8" notitle, \
     '' using ($0 + 0.2):5 with boxes lc rgb "#b0b0b0" \
        title "server CPU per request: the peer's over calcd's", \
     '' using ($0 - 0.4):3:(0.4):(0) with vectors nohead lw 3 \
        lc rgb "black" title "target", \
     keyentry with boxes lc rgb "#2e8b57" title "requests/s (memory, engine): target reached", \
     keyentry with boxes lc rgb "#d9534f" title "requests/s (memory, engine): target not reached", \
     keyentry with boxes lc rgb "#4682b4" title "requests/s: no target"
