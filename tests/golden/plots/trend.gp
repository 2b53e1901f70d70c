# compsight trend plot: draws trend.png and trend.svg in the current directory.
# Re-run from the plots directory:  gnuplot trend.gp
# Data are aggregated by compsight; every text is a single-quoted literal.
reset
set encoding utf8
set terminal pngcairo size 1280,720 font ',14' noenhanced background '#ffffff'
set output 'trend.png'
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
# quarter, risky-deal rate in %, 95% Wilson low, high, share of bookings in the last 14 days in %, won deals
$q << EOD
0 20 15.8657 24.8929 20 300
1 25 20.2895 30.3871 30 280
2 16.6667 11.056 24.3453 40 120
3 29.0323 24.2605 34.3173 50 310
EOD
set title 'Risky-deal rate and end-of-period bookings, quarter by quarter' font ',18' noenhanced
set xlabel 'fiscal quarter in which the deal closed' noenhanced
set ylabel '% of the quarter''s won deals or bookings' noenhanced
set xrange [-0.5:3.5]
set yrange [0:70]
set format y '%.0f%%'
set xtics ('2025Q4' 0, '2026Q1' 1, '2026Q2' 2, '2026Q3' 3) noenhanced
set x2range [-0.5:3.5]
set x2tics ('n = 300' 0, 'n = 280' 1, 'n = 120' 2, 'n = 310' 3) scale 0 font ',10' textcolor rgb '#4a5568' noenhanced
set label 99 'Bars: 95% Wilson intervals; n: won deals in the quarter. 1 quarter with fewer than half the usual deals:' at screen 0.01, screen 0.051 left font ',11' tc rgb '#4a5568' noenhanced
set label 98 'read it with care. Annual plans end with the fiscal year: their last 14 days fall in its last quarter.' at screen 0.01, screen 0.025 left font ',11' tc rgb '#4a5568' noenhanced
set bmargin 6
set key top left
plot $q using 1:2:3:4 with yerrorlines lt 2 pt 7 ps 1.6 title 'deals with a risky promise (95% interval)', \
     $q using 1:5 with linespoints lt 1 pt 5 ps 1.4 title 'bookings closed in the last 14 days of the plan period'
set terminal svg size 1280,720 dynamic font ',14' noenhanced background '#ffffff'
set output 'trend.svg'
replot
unset output
