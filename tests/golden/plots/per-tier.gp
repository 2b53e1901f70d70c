# compsight per-tier plot: draws per-tier.png and per-tier.svg in the current directory.
# Re-run from the plots directory:  gnuplot per-tier.gp
# Data are aggregated by compsight; every text is a single-quoted literal.
reset
set encoding utf8
set terminal pngcairo size 1280,720 font ',14' noenhanced background '#ffffff'
set output 'per-tier.png'
set linetype 1 lc rgb '#2b6cb0' lw 2 pt 7 ps 1.4
set linetype 2 lc rgb '#dd6b20' lw 2 pt 7 ps 1.4
set linetype 3 lc rgb '#2d3748' lw 2 pt 7 ps 1.4
set linetype 4 lc rgb '#c53030' lw 2 pt 7 ps 1.4
set linetype 5 lc rgb '#2f855a' lw 2 pt 7 ps 1.4
set linetype 6 lc rgb '#a0aec0' lw 2 pt 7 ps 1.4
set border 3 lc rgb '#2d3748'
set tics nomirror out
set grid ytics lc rgb '#e2e8f0' lw 1 dt 1
set key top left noenhanced opaque box lc rgb '#e2e8f0'
# slot, rate in %, 95% Wilson interval low, high, deals, the same for reading
$rates << EOD
0 20 15.0452 26.0855 200 200
1 25 18.1098 33.4411 120 120
3 41.6667 30.0643 54.2719 60 60
4 60 35.7468 80.1755 15 15
EOD
# slot, deals of the slots too thin for a point
$few << EOD
5 4
EOD
set title 'Risky-promise rate by the commission rate in force, plan by plan' font ',18' noenhanced
set xlabel 'marginal commission rate at the time of the deal (% of the deal''s amount), by plan, tiers in order' noenhanced
set ylabel 'deals with a risky promise' noenhanced
set xrange [-0.6:5.6]
set yrange [0:100]
set format y '%.0f%%'
set xtics ('6%%' 0, '9%%' 1, '' 2, '8%%' 3, '12%%' 4, '15%%' 5) scale 0 noenhanced
set label 10 'SMB-Q' at first 0.5, graph 0.97 center front font ',14' tc rgb '#2d3748' noenhanced
set arrow 10 from first -0.4, first 21.875 to first 1.4, first 21.875 nohead back lt 3 lw 1.5 dt 2
set label 30 '22%' at first 1.4, first 21.875 right offset 0,0.7 font ',11' tc rgb '#2d3748' noenhanced
set arrow 30 from first 2, graph 0 to first 2, graph 1 nohead back lc rgb '#cbd5e0' lw 1
set label 11 'Mid''Market `touch /tmp/compsight_pwned`' at first 4, graph 0.97 center front font ',14' tc rgb '#2d3748' noenhanced
set arrow 11 from first 2.6, first 44.3038 to first 5.4, first 44.3038 nohead back lt 3 lw 1.5 dt 2
set label 31 '44%' at first 5.4, first 44.3038 right offset 0,0.7 font ',11' tc rgb '#2d3748' noenhanced
set label 99 'Points: share of deals with an off-roadmap or premature promise; bars: 95% Wilson intervals; n:' at screen 0.01, screen 0.051 left font ',11' tc rgb '#4a5568' noenhanced
set label 98 'deals in the category (fewer than 10: no point). Dashed: each plan''s share over all its deals.' at screen 0.01, screen 0.025 left font ',11' tc rgb '#4a5568' noenhanced
set bmargin 6
unset key
set style textbox opaque noborder margins 1,0.5
plot $rates using 1:2:3:4 with yerrorbars lt 2 pt 7 ps 1.8 lw 2.5 notitle, \
     $rates using 1:4:(sprintf('n = %s', strcol(6))) with labels offset 0,0.9 boxed tc rgb '#4a5568' font ',12' notitle, \
     $few using 1:(0):(sprintf('n = %d', $2)) with labels offset 0,0.9 boxed tc rgb '#718096' font ',12' notitle
set terminal svg size 1280,720 dynamic font ',14' noenhanced background '#ffffff'
set output 'per-tier.svg'
replot
unset output
