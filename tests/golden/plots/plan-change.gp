# compsight plan-change plot: draws plan-change.png and plan-change.svg in the current directory.
# Re-run from the plots directory:  gnuplot plan-change.gp
# Data are aggregated by compsight; every text is a single-quoted literal.
reset
set encoding utf8
set terminal pngcairo size 1280,720 font ',14' noenhanced background '#ffffff'
set output 'plan-change.png'
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
# event quarter, estimate (points), 95% low, high, treated deals; baseline row apart
$ev << EOD
-4 8.5 -5.5 22.5 40
-3 -13 -27 1 41
-2 8 -6 22 42
0 -7.5 -21.5 6.5 44
1 -15 -29 -1 45
2 -8.9 -22.9 5.1 46
EOD
$base << EOD
-1 0
EOD
# the prediction: x, estimate, low, high (points)
$pred << EOD
3.4 -0.8 -1.7 -0.14
EOD
set title 'Plan ''MM-Q'' to MM-Q-FY26 on 2026-01-01: risky deals 11 points lower' font ',18' noenhanced
set xlabel 'fiscal quarter, counted from the change (0: the quarter it happened in)' noenhanced
set ylabel 'reps who moved minus the others, risky-deal rate (points)' noenhanced
set xrange [-4.6:3.6]
set yrange [-40:30]
set xtics ('-4 (2025Q1)' -4, '-3 (2025Q2)' -3, '-2 (2025Q3)' -2, '-1 (2025Q4)' -1, '0 (2026Q1)' 0, '1 (2026Q2)' 1, '2 (2026Q3)' 2, '3 (2026Q4)' 3) noenhanced
set xzeroaxis lt 3 dt 2
set arrow from -0.5, graph 0 to -0.5, graph 1 nohead lt 3 dt 3
set label 'plan change' at -0.45, graph 0.04 left textcolor rgb '#4a5568' noenhanced
set object 1 rect from -0.5, -17 to 3.6, -4.7 fc rgb '#dd6b20' fs transparent solid 0.18 noborder behind
set label 99 '7 reps who moved against 17 whose plan stayed; each point against the quarter before the change (-1), with its 95% interval.' at screen 0.01, screen 0.051 left font ',11' tc rgb '#4a5568' noenhanced
set label 98 'Shaded: the whole change''s estimate after it (95% interval). Green: what the what-if of the new plan predicted before the change.' at screen 0.01, screen 0.025 left font ',11' tc rgb '#4a5568' noenhanced
set bmargin 6
set key outside top center horizontal maxrows 2 samplen 2
plot $ev using 1:2:3:4 with yerrorbars lt 2 pt 7 ps 1.6 title 'quarter by quarter (95% interval)', \
     $base using 1:2 with points lt 2 pt 6 ps 1.6 title 'the quarter before (reference)', \
     [-0.5:3.6] -10.8 with lines lt 2 dt 2 lw 2 title 'after the change, in all', \
     $pred using 1:2:3:4 with yerrorbars lt 5 pt 9 ps 1.8 title 'predicted by the what-if, before the change'
set terminal svg size 1280,720 dynamic font ',14' noenhanced background '#ffffff'
set output 'plan-change.svg'
replot
unset output
