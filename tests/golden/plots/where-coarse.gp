# compsight where plot: draws where.png and where.svg in the current directory.
# Re-run from the plots directory:  gnuplot where.gp
# Data are aggregated by compsight; every text is a single-quoted literal.
reset
set encoding utf8
set terminal pngcairo size 1280,720 font ',14' noenhanced background '#ffffff'
set output 'where.png'
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
# column (0 = the last weeks before the period end), row (attainment bin), share of deals with a risky promise in %
$cells << EOD
0 0 NaN
1 0 NaN
2 0 NaN
3 0 NaN
4 0 NaN
5 0 NaN
6 0 NaN
0 1 NaN
1 1 NaN
2 1 NaN
3 1 NaN
4 1 NaN
5 1 NaN
6 1 NaN
0 2 NaN
1 2 NaN
2 2 NaN
3 2 NaN
4 2 NaN
5 2 NaN
6 2 NaN
0 3 NaN
1 3 NaN
2 3 NaN
3 3 NaN
4 3 NaN
5 3 10
6 3 NaN
0 4 NaN
1 4 NaN
2 4 NaN
3 4 NaN
4 4 NaN
5 4 NaN
6 4 NaN
0 5 NaN
1 5 NaN
2 5 NaN
3 5 NaN
4 5 NaN
5 5 NaN
6 5 NaN
0 6 NaN
1 6 NaN
2 6 NaN
3 6 NaN
4 6 NaN
5 6 NaN
6 6 NaN
EOD
# column, row, share in %, deals, label colour (0xRRGGBB), deals for reading
$labels << EOD
5 3 10 30 16777215 30
EOD
# column, row of the cells whose 95% interval is wider than the limit
$wide << EOD
EOD
# column, row, deals of the grey cells (too few to show a share)
$few << EOD
0 0 0
1 0 0
2 0 0
3 0 0
4 0 0
5 0 0
6 0 0
0 1 0
1 1 0
2 1 0
3 1 0
4 1 0
5 1 0
6 1 0
0 2 0
1 2 0
2 2 0
3 2 0
4 2 0
5 2 0
6 2 0
0 3 0
1 3 0
2 3 0
3 3 0
4 3 0
6 3 0
0 4 0
1 4 0
2 4 0
3 4 0
4 4 0
5 4 0
6 4 0
0 5 0
1 5 0
2 5 9
3 5 0
4 5 0
5 5 0
6 5 0
0 6 0
1 6 0
2 6 0
3 6 0
4 6 0
5 6 0
6 6 0
EOD
set title 'Risky promises by attainment before the deal and weeks to period end' font ',18' noenhanced
set xlabel 'weeks before the end of the plan period (2-week columns; period end on the right)' noenhanced
set ylabel 'attainment before the deal (% of quota)' noenhanced
set cblabel 'share of deals with a risky promise' offset 1.5,0 noenhanced
set rmargin 12
set xrange [6.5:-0.5]
set yrange [-0.5:6.5]
set xtics ('0-1' 0, '2-3' 1, '4-5' 2, '6-7' 3, '8-9' 4, '10-11' 5, '12+' 6) scale 0 noenhanced
set ytics ('0%%' -0.5, '25%%' 0.5, '50%%' 1.5, '75%%' 2.5, '100%%' 3.5, '125%%' 4.5, '150%%' 5.5) noenhanced
unset grid
set object 1 rectangle from graph 0, graph 0 to graph 1, graph 1 behind fc rgb '#d9d9d9' fs solid 1.0 noborder
set palette defined (0 '#ffffcc', 0.3 '#fed976', 0.55 '#fd8d3c', 0.8 '#e31a1c', 1 '#800026')
set cbrange [0:10]
set format cb '%.0f%%'
set cbtics out nomirror
set arrow 1 from graph 0, first 3.5 to graph 1, first 3.5 nohead front lc rgb '#2d3748' lw 2 dt 2
set arrow 2 from graph 0, first 4.7 to graph 1, first 4.7 nohead front lc rgb '#2d3748' lw 2 dt 2
unset key
set label 99 'Each cell: share of deals with an off-roadmap or premature promise; n: its deals. Grey: fewer than 10 deals. Hatched and faded: the share''s 95%' at screen 0.01, screen 0.051 left font ',11' tc rgb '#4a5568' noenhanced
set label 98 'interval is wider than 25 points, too few deals to read its colour. Dashed: the plans'' tier floors. 39 deals in all, too few for finer cells.' at screen 0.01, screen 0.025 left font ',11' tc rgb '#4a5568' noenhanced
set bmargin 6
plot $cells using 1:2:3 with image notitle, \
     $labels using 1:2:(sprintf('%.0f%%', $3)):5 with labels offset 0,0.3 tc rgb variable font ',11' notitle, \
     $labels using 1:2:(sprintf('n = %s', strcol(6))):5 with labels offset 0,-0.5 tc rgb variable font ',8' notitle, \
     $few using 1:2:(sprintf('n = %d', $3)) with labels tc rgb '#718096' font ',8' notitle
set terminal svg size 1280,720 dynamic font ',14' noenhanced background '#ffffff'
set output 'where.svg'
replot
unset output
