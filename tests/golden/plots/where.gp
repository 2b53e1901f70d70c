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
7 0 NaN
8 0 NaN
9 0 NaN
10 0 NaN
11 0 NaN
12 0 NaN
13 0 10.9091
0 1 NaN
1 1 NaN
2 1 NaN
3 1 NaN
4 1 NaN
5 1 NaN
6 1 NaN
7 1 NaN
8 1 NaN
9 1 NaN
10 1 NaN
11 1 NaN
12 1 NaN
13 1 NaN
0 2 NaN
1 2 NaN
2 2 NaN
3 2 NaN
4 2 NaN
5 2 NaN
6 2 NaN
7 2 NaN
8 2 NaN
9 2 NaN
10 2 NaN
11 2 NaN
12 2 NaN
13 2 NaN
0 3 NaN
1 3 NaN
2 3 NaN
3 3 NaN
4 3 NaN
5 3 10
6 3 NaN
7 3 NaN
8 3 NaN
9 3 NaN
10 3 NaN
11 3 NaN
12 3 NaN
13 3 NaN
0 4 NaN
1 4 NaN
2 4 NaN
3 4 NaN
4 4 NaN
5 4 NaN
6 4 NaN
7 4 NaN
8 4 NaN
9 4 NaN
10 4 NaN
11 4 NaN
12 4 NaN
13 4 NaN
0 5 NaN
1 5 NaN
2 5 NaN
3 5 NaN
4 5 NaN
5 5 NaN
6 5 NaN
7 5 NaN
8 5 NaN
9 5 NaN
10 5 NaN
11 5 NaN
12 5 NaN
13 5 NaN
0 6 NaN
1 6 NaN
2 6 NaN
3 6 NaN
4 6 NaN
5 6 NaN
6 6 NaN
7 6 NaN
8 6 NaN
9 6 NaN
10 6 NaN
11 6 NaN
12 6 NaN
13 6 NaN
0 7 NaN
1 7 NaN
2 7 NaN
3 7 NaN
4 7 NaN
5 7 NaN
6 7 NaN
7 7 NaN
8 7 NaN
9 7 NaN
10 7 NaN
11 7 NaN
12 7 NaN
13 7 NaN
0 8 NaN
1 8 NaN
2 8 NaN
3 8 NaN
4 8 NaN
5 8 NaN
6 8 NaN
7 8 NaN
8 8 NaN
9 8 NaN
10 8 NaN
11 8 NaN
12 8 NaN
13 8 NaN
0 9 45
1 9 32
2 9 NaN
3 9 NaN
4 9 NaN
5 9 NaN
6 9 NaN
7 9 NaN
8 9 NaN
9 9 NaN
10 9 NaN
11 9 NaN
12 9 NaN
13 9 NaN
0 10 50
1 10 NaN
2 10 NaN
3 10 NaN
4 10 NaN
5 10 NaN
6 10 NaN
7 10 NaN
8 10 NaN
9 10 NaN
10 10 NaN
11 10 NaN
12 10 NaN
13 10 NaN
0 11 NaN
1 11 NaN
2 11 NaN
3 11 NaN
4 11 NaN
5 11 NaN
6 11 NaN
7 11 NaN
8 11 NaN
9 11 NaN
10 11 NaN
11 11 NaN
12 11 NaN
13 11 NaN
0 12 NaN
1 12 NaN
2 12 NaN
3 12 NaN
4 12 NaN
5 12 NaN
6 12 NaN
7 12 NaN
8 12 NaN
9 12 NaN
10 12 NaN
11 12 NaN
12 12 NaN
13 12 NaN
0 13 NaN
1 13 NaN
2 13 NaN
3 13 NaN
4 13 NaN
5 13 NaN
6 13 NaN
7 13 NaN
8 13 NaN
9 13 NaN
10 13 NaN
11 13 NaN
12 13 NaN
13 13 NaN
0 14 NaN
1 14 NaN
2 14 NaN
3 14 NaN
4 14 NaN
5 14 NaN
6 14 NaN
7 14 NaN
8 14 NaN
9 14 NaN
10 14 NaN
11 14 NaN
12 14 NaN
13 14 NaN
0 15 45.4545
1 15 NaN
2 15 NaN
3 15 NaN
4 15 NaN
5 15 NaN
6 15 NaN
7 15 NaN
8 15 NaN
9 15 NaN
10 15 NaN
11 15 NaN
12 15 NaN
13 15 NaN
EOD
# column, row, share in %, deals, label colour (0xRRGGBB), deals for reading
$labels << EOD
13 0 10.9091 55 1712172 55
5 3 10 30 1712172 30
0 9 45 40 1712172 40
1 9 32 25 1712172 25
0 10 50 12 1712172 12
0 15 45.4545 11 1712172 11
EOD
# column, row of the cells whose 95% interval is wider than the limit
$wide << EOD
0 9
1 9
0 10
0 15
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
7 0 0
8 0 0
9 0 0
10 0 0
11 0 0
12 0 0
0 1 0
1 1 0
2 1 0
3 1 0
4 1 0
5 1 0
6 1 0
7 1 0
8 1 0
9 1 0
10 1 0
11 1 0
12 1 0
13 1 0
0 2 0
1 2 0
2 2 0
3 2 0
4 2 0
5 2 0
6 2 0
7 2 0
8 2 0
9 2 0
10 2 0
11 2 0
12 2 0
13 2 0
0 3 0
1 3 0
2 3 0
3 3 0
4 3 0
6 3 0
7 3 0
8 3 0
9 3 0
10 3 0
11 3 0
12 3 0
13 3 0
0 4 0
1 4 0
2 4 0
3 4 0
4 4 0
5 4 0
6 4 0
7 4 0
8 4 0
9 4 0
10 4 0
11 4 0
12 4 0
13 4 0
0 5 0
1 5 0
2 5 9
3 5 0
4 5 0
5 5 0
6 5 0
7 5 0
8 5 0
9 5 0
10 5 0
11 5 0
12 5 0
13 5 0
0 6 0
1 6 0
2 6 0
3 6 0
4 6 0
5 6 0
6 6 0
7 6 0
8 6 0
9 6 0
10 6 0
11 6 0
12 6 0
13 6 0
0 7 0
1 7 0
2 7 0
3 7 0
4 7 0
5 7 0
6 7 0
7 7 0
8 7 0
9 7 0
10 7 0
11 7 0
12 7 0
13 7 0
0 8 0
1 8 0
2 8 0
3 8 0
4 8 0
5 8 0
6 8 0
7 8 0
8 8 0
9 8 0
10 8 0
11 8 0
12 8 0
13 8 0
2 9 0
3 9 0
4 9 0
5 9 0
6 9 0
7 9 0
8 9 0
9 9 0
10 9 0
11 9 0
12 9 0
13 9 0
1 10 0
2 10 0
3 10 0
4 10 0
5 10 0
6 10 0
7 10 0
8 10 0
9 10 0
10 10 0
11 10 0
12 10 0
13 10 0
0 11 0
1 11 0
2 11 0
3 11 0
4 11 0
5 11 0
6 11 0
7 11 0
8 11 0
9 11 0
10 11 0
11 11 0
12 11 0
13 11 0
0 12 0
1 12 0
2 12 0
3 12 0
4 12 0
5 12 0
6 12 0
7 12 0
8 12 0
9 12 0
10 12 0
11 12 0
12 12 0
13 12 0
0 13 0
1 13 0
2 13 0
3 13 0
4 13 0
5 13 0
6 13 0
7 13 0
8 13 0
9 13 0
10 13 0
11 13 0
12 13 0
13 13 0
0 14 0
1 14 0
2 14 0
3 14 0
4 14 0
5 14 0
6 14 0
7 14 0
8 14 0
9 14 0
10 14 0
11 14 0
12 14 0
13 14 0
1 15 0
2 15 0
3 15 0
4 15 0
5 15 0
6 15 0
7 15 0
8 15 0
9 15 0
10 15 0
11 15 0
12 15 0
13 15 0
EOD
set title 'Risky promises by attainment before the deal and weeks to period end' font ',18' noenhanced
set xlabel 'weeks before the end of the plan period (period end on the right)' noenhanced
set ylabel 'attainment before the deal (% of quota)' noenhanced
set cblabel 'share of deals with a risky promise' offset 1.5,0 noenhanced
set rmargin 12
set xrange [13.5:-0.5]
set yrange [-0.5:15.5]
set xtics ('0' 0, '1' 1, '2' 2, '3' 3, '4' 4, '5' 5, '6' 6, '7' 7, '8' 8, '9' 9, '10' 10, '11' 11, '12' 12, '13+' 13) scale 0 noenhanced
set ytics ('0%%' -0.5, '10%%' 0.5, '20%%' 1.5, '30%%' 2.5, '40%%' 3.5, '50%%' 4.5, '60%%' 5.5, '70%%' 6.5, '80%%' 7.5, '90%%' 8.5, '100%%' 9.5, '110%%' 10.5, '120%%' 11.5, '130%%' 12.5, '140%%' 13.5, '150%%' 14.5) noenhanced
unset grid
set object 1 rectangle from graph 0, graph 0 to graph 1, graph 1 behind fc rgb '#d9d9d9' fs solid 1.0 noborder
set palette defined (0 '#ffffcc', 0.3 '#fed976', 0.55 '#fd8d3c', 0.8 '#e31a1c', 1 '#800026')
set cbrange [0:50]
set format cb '%.0f%%'
set cbtics out nomirror
set arrow 1 from graph 0, first 9.5 to graph 1, first 9.5 nohead front lc rgb '#2d3748' lw 2 dt 2
set arrow 2 from graph 0, first 12.5 to graph 1, first 12.5 nohead front lc rgb '#2d3748' lw 2 dt 2
unset key
set label 99 'Each cell: share of deals with an off-roadmap or premature promise; n: its deals. Grey: fewer than 10 deals. Hatched and faded: the' at screen 0.01, screen 0.051 left font ',11' tc rgb '#4a5568' noenhanced
set label 98 'share''s 95% interval is wider than 25 points, too few deals to read its colour. Dashed: the plans'' tier floors. 182 deals in all.' at screen 0.01, screen 0.025 left font ',11' tc rgb '#4a5568' noenhanced
set bmargin 6
plot $cells using 1:2:3 with image notitle, \
     $wide using 1:2:(0.5):(0.5) with boxxyerror fc rgb '#f7f7f7' fs transparent solid 0.75 noborder notitle, \
     $wide using 1:2:(0.5):(0.5) with boxxyerror lc rgb '#a0aec0' fs transparent pattern 4 noborder notitle, \
     $labels using 1:2:(sprintf('%.0f%%', $3)):5 with labels offset 0,0.3 tc rgb variable font ',11' notitle, \
     $labels using 1:2:(sprintf('n = %s', strcol(6))):5 with labels offset 0,-0.5 tc rgb variable font ',8' notitle, \
     $few using 1:2:(sprintf('n = %d', $3)) with labels tc rgb '#718096' font ',8' notitle
set terminal svg size 1280,720 dynamic font ',14' noenhanced background '#ffffff'
set output 'where.svg'
replot
unset output
