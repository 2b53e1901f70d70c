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
13 0 10.9091 55 1712172 (55)
5 3 10 30 1712172 (30)
0 9 45 40 16777215 (40)
1 9 32 25 16777215 (25)
0 10 50 12 16777215 (12)
0 15 45.4545 11 16777215 (11)
EOD
set title 'Where risky promises concentrate: attainment before the deal × weeks to period end' font ',15' noenhanced
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
set key at graph 1, graph 1.0 bottom right horizontal noopaque nobox
set label 99 'Each cell: share of deals with an off-roadmap or premature promise (number of deals). Grey: fewer than 10 deals. 182 deals in all.' at screen 0.01, screen 0.025 left font ',11' tc rgb '#4a5568' noenhanced
set bmargin 5
plot $cells using 1:2:3 with image notitle, \
     $labels using 1:2:(sprintf('%.0f%%', $3)):5 with labels offset 0,0.3 tc rgb variable font ',11' notitle, \
     $labels using 1:2:6:5 with labels offset 0,-0.5 tc rgb variable font ',8' notitle, \
     NaN with lines lc rgb '#2d3748' lw 2 dt 2 title 'tier floors of the plans'
set terminal svg size 1280,720 dynamic font ',14' noenhanced background '#ffffff'
set output 'where.svg'
replot
unset output
