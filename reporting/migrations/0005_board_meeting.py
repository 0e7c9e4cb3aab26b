"""The board's meetings: the quarter each reviews, the priority it discusses in depth, its agenda."""

import civicplan.validators
import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('priorities', '0005_reporting_round'),
        ('reporting', '0004_annual_review_permissions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='BoardMeeting',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField(verbose_name='date')),
                ('title', models.CharField(help_text='As the invitation names it, for example “Board meeting, November 2022”.', max_length=300, validators=[civicplan.validators.no_hidden_controls, civicplan.validators.no_markup, django.core.validators.MaxLengthValidator(10000)], verbose_name='title')),
                ('place', models.CharField(blank=True, help_text='A city, a room or “online”; leave empty if it is not decided.', max_length=200, validators=[civicplan.validators.no_hidden_controls, civicplan.validators.no_markup, django.core.validators.MaxLengthValidator(10000)], verbose_name='place')),
                ('version', models.PositiveIntegerField(default=1, help_text='Raised by every save, so that a concurrent edit is detected.', verbose_name='version')),
                ('annual_plan', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='board_meetings', to='priorities.annualplan', verbose_name='annual plan')),
                ('priority', models.ForeignKey(help_text='The priority the board discusses in depth at this meeting.', on_delete=django.db.models.deletion.PROTECT, related_name='board_meetings', to='priorities.strategicpriority', verbose_name='strategic priority in depth')),
                ('quarter', models.ForeignKey(help_text="Its published board update opens the meeting's pack.", on_delete=django.db.models.deletion.PROTECT, related_name='board_meetings', to='priorities.quarter', verbose_name='quarter reviewed')),
            ],
            options={
                'verbose_name': 'board meeting',
                'verbose_name_plural': 'board meetings',
                'ordering': ['annual_plan', 'date', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='AgendaItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('order', models.PositiveSmallIntegerField(help_text='Its place on the agenda: 1 comes first.', validators=[django.core.validators.MinValueValidator(1)], verbose_name='order')),
                ('title', models.CharField(max_length=300, validators=[civicplan.validators.no_hidden_controls, civicplan.validators.no_markup, django.core.validators.MaxLengthValidator(10000)], verbose_name='item')),
                ('presenter', models.CharField(blank=True, max_length=150, validators=[civicplan.validators.no_hidden_controls, civicplan.validators.no_markup, django.core.validators.MaxLengthValidator(10000)], verbose_name='presented by')),
                ('notes', models.TextField(blank=True, validators=[civicplan.validators.no_hidden_controls, civicplan.validators.no_markup, django.core.validators.MaxLengthValidator(10000)], verbose_name='notes')),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='agenda_items', to='reporting.boardmeeting', verbose_name='board meeting')),
            ],
            options={
                'verbose_name': 'agenda item',
                'verbose_name_plural': 'agenda items',
                'ordering': ['meeting', 'order', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalAgendaItem',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('order', models.PositiveSmallIntegerField(help_text='Its place on the agenda: 1 comes first.', validators=[django.core.validators.MinValueValidator(1)], verbose_name='order')),
                ('title', models.CharField(max_length=300, validators=[civicplan.validators.no_hidden_controls, civicplan.validators.no_markup, django.core.validators.MaxLengthValidator(10000)], verbose_name='item')),
                ('presenter', models.CharField(blank=True, max_length=150, validators=[civicplan.validators.no_hidden_controls, civicplan.validators.no_markup, django.core.validators.MaxLengthValidator(10000)], verbose_name='presented by')),
                ('notes', models.TextField(blank=True, validators=[civicplan.validators.no_hidden_controls, civicplan.validators.no_markup, django.core.validators.MaxLengthValidator(10000)], verbose_name='notes')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('meeting', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reporting.boardmeeting', verbose_name='board meeting')),
            ],
            options={
                'verbose_name': 'historical agenda item',
                'verbose_name_plural': 'historical agenda items',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalBoardMeeting',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('date', models.DateField(verbose_name='date')),
                ('title', models.CharField(help_text='As the invitation names it, for example “Board meeting, November 2022”.', max_length=300, validators=[civicplan.validators.no_hidden_controls, civicplan.validators.no_markup, django.core.validators.MaxLengthValidator(10000)], verbose_name='title')),
                ('place', models.CharField(blank=True, help_text='A city, a room or “online”; leave empty if it is not decided.', max_length=200, validators=[civicplan.validators.no_hidden_controls, civicplan.validators.no_markup, django.core.validators.MaxLengthValidator(10000)], verbose_name='place')),
                ('version', models.PositiveIntegerField(default=1, help_text='Raised by every save, so that a concurrent edit is detected.', verbose_name='version')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('annual_plan', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='priorities.annualplan', verbose_name='annual plan')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('priority', models.ForeignKey(blank=True, db_constraint=False, help_text='The priority the board discusses in depth at this meeting.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='priorities.strategicpriority', verbose_name='strategic priority in depth')),
                ('quarter', models.ForeignKey(blank=True, db_constraint=False, help_text="Its published board update opens the meeting's pack.", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='priorities.quarter', verbose_name='quarter reviewed')),
            ],
            options={
                'verbose_name': 'historical board meeting',
                'verbose_name_plural': 'historical board meetings',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddConstraint(
            model_name='boardmeeting',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('title'), 300), name='board_meeting_title_length'),
        ),
        migrations.AddConstraint(
            model_name='boardmeeting',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('place'), 200), name='board_meeting_place_length'),
        ),
        migrations.AddConstraint(
            model_name='agendaitem',
            constraint=models.CheckConstraint(condition=models.Q(('order__gte', 1)), name='agenda_item_order_positive'),
        ),
        migrations.AddConstraint(
            model_name='agendaitem',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('title'), 300), name='agenda_item_title_length'),
        ),
        migrations.AddConstraint(
            model_name='agendaitem',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('presenter'), 150), name='agenda_item_presenter_length'),
        ),
    ]
